"""Bring the site's data up to the installed code: run pending upgrade steps.

Cupola's own steps run first, then each active add-on's; each step runs in
its own transaction, so an interrupted upgrade resumes where it stopped.
"""

from cupola.cli.options import Progress, add_db_options, open_site


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--list", action="store_true",
                        help="only list the pending steps")


def run(args):
    import transaction

    from cupola.addons.upgrades import pending, run_upgrades
    from cupola.db.bootstrap import get_site
    from cupola.exceptions import CupolaError
    db, registry = open_site(args)
    try:
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            try:
                steps = pending(registry, get_site(conn))
            except KeyError:
                raise CupolaError("The database holds no site; run 'cupola init' first.")
        finally:
            tm.abort()
            conn.close()
        if not steps:
            print("Nothing to upgrade: the site's data matches the installed code.")
            return 0
        if args.list:
            print(f"{len(steps)} pending upgrade step(s):")
            for step in steps:
                print(f"  {step.label}")
            return 0
        progress = Progress("Upgrading")
        done = run_upgrades(db, registry, progress=progress,
                            echo=lambda label: print(f"  {label}"))
        print(f"Ran {len(done)} upgrade step(s).")
        return 0
    finally:
        db.close()
