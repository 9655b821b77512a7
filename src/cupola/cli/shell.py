"""An interactive Python prompt with ``app``, ``root`` and ``transaction``.

``root`` is the site; commit changes with ``transaction.commit()``.
"""

import code

from cupola.cli.options import add_db_options, find_application, load_app


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("-c", "--command", help="run this code instead of a prompt")


def run(args):
    import transaction
    from cupola.db.bootstrap import get_site
    from cupola.registry import pop_registry, push_registry
    app = find_application(load_app(args))
    push_registry(app.registry)
    conn = app.db.open()
    names = {"app": app, "root": get_site(conn), "conn": conn,
             "transaction": transaction, "registry": app.registry}
    banner = ("Cupola shell. app, root (the site), conn, registry and "
              "transaction are ready; transaction.commit() saves.")
    try:
        if args.command:
            exec(compile(args.command, "<cupola shell -c>", "exec"), names)
        else:
            code.interact(banner=banner, local=names, exitmsg="")
    finally:
        transaction.abort()
        conn.close()
        app.db.close()
        pop_registry()
