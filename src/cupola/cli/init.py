"""Create the database with a site and an admin account (once)."""

from cupola.cli.options import add_db_options, env


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--admin", default=env("CUPOLA_ADMIN_LOGIN", "admin"),
                        help="login of the admin account (default admin)")
    parser.add_argument("--title", default="Cupola", help="title of the new site")


def run(args):
    import os
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import normalize_uri, open_db
    uri, settings = args.zodb_uri, {}
    if args.config:  # the site is made by the app's own configuration (add-ons)
        from paste.deploy.loadwsgi import appconfig
        settings = dict(appconfig("config:" + os.path.abspath(args.config)))
        uri = uri or settings.get("zodb_uri")
    db = open_db(uri)
    try:
        from cupola.wsgi import configure
        created = bootstrap(db, admin_login=args.admin, title=args.title,
                            registry=configure(settings).registry)
        print(f"Database: {normalize_uri(uri)}")
        if created is None:
            print("The database holds a site; nothing to do.")
        else:
            print(f"Created the site with the admin account {args.admin!r}.")
    finally:
        db.close()
