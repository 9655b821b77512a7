"""Options shared by commands: each also read from a CUPOLA_* variable."""

import os


def env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def add_db_options(parser):
    parser.add_argument("--config", default=env("CUPOLA_CONFIG"),
                        help="PasteDeploy .ini file (env CUPOLA_CONFIG)")
    parser.add_argument("--zodb-uri", default=env("CUPOLA_ZODB_URI"),
                        help="database URI, default file://var/Data.fs "
                             "(env CUPOLA_ZODB_URI)")


def load_app(args):
    """The WSGI application from --config, else from --zodb-uri and defaults."""
    from cupola.wsgi import app_from_config, make_app
    if args.zodb_uri:
        os.environ["CUPOLA_ZODB_URI"] = args.zodb_uri
    if args.config:
        return app_from_config(args.config)
    return make_app({"here": os.getcwd()})


def find_application(app):
    """The Cupola Application inside a middleware pipeline."""
    seen = 0
    while not hasattr(app, "db") and seen < 20:
        app = getattr(app, "app", None) or getattr(app, "application", None)
        seen += 1
        if app is None:
            raise RuntimeError("no Cupola application in the pipeline")
    return app
