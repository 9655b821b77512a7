"""Options shared by commands: each also read from a CUPOLA_* variable."""

import os
from contextlib import contextmanager


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


def settings_from(args):
    """The application settings from --config (if any), with --zodb-uri."""
    settings = {}
    if args.config:
        from paste.deploy.loadwsgi import appconfig
        settings = dict(appconfig("config:" + os.path.abspath(args.config)))
    if args.zodb_uri:
        settings["zodb_uri"] = args.zodb_uri
    return settings


def open_site(args):
    """(db, registry) for a command working on the database directly."""
    from cupola.db.storage import open_db
    from cupola.wsgi import configure
    settings = settings_from(args)
    registry = configure(settings).registry
    return open_db(settings.get("zodb_uri")), registry


@contextmanager
def site_session(args):
    """``with site_session(args) as (site, registry, tm):`` the site of the
    database, its registry pushed as the current one, in a connection of its
    own transaction manager *tm*. What the command did not commit is aborted
    when the block ends; the database is closed."""
    import transaction

    from cupola.db.bootstrap import get_site
    from cupola.exceptions import CupolaError
    from cupola.registry import pop_registry, push_registry
    db, registry = open_site(args)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    try:
        try:
            site = get_site(conn)
        except KeyError:
            raise CupolaError("The database holds no site; "
                              "run 'cupola init' first.") from None
        yield site, registry, tm
    finally:
        pop_registry()
        tm.abort()
        conn.close()
        db.close()


class Progress:
    """A progress bar on a terminal, else a line every 10%."""

    def __init__(self, label, stream=None, width=30):
        import sys
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._shown = -1

    def __call__(self, done, total):
        total = max(total, done, 1)
        percent = done * 100 // total
        if self.tty:
            if percent != self._shown or done == total:
                filled = self.width * done // total
                bar = "#" * filled + "-" * (self.width - filled)
                self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {percent:3d}%")
                if done == total:
                    self.stream.write("\n")
                self.stream.flush()
        elif percent // 10 != self._shown // 10 or done == total:
            self.stream.write(f"{self.label}: {done}/{total} ({percent}%)\n")
            self.stream.flush()
        self._shown = percent
