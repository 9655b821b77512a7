"""WSGI entry points: PasteDeploy's ``make_app`` and a module-level ``application``.

``application`` is for servers that import a callable (gunicorn, granian,
mod_wsgi, uWSGI): it reads ``CUPOLA_CONFIG`` (a PasteDeploy ``.ini``) or,
without it, ``CUPOLA_ZODB_URI`` and the defaults.
"""

import logging
import os
import threading
import time
from cupola.addons.discovery import GROUP as ADDON_GROUP, discover, include_addons
from cupola.db.bootstrap import bootstrap
from cupola.db.storage import open_db
from cupola.publisher import Application, _as_bool
from cupola.registry import Configurator
from cupola.skins import Skins

log = logging.getLogger("cupola")


def configure(settings=None):
    """A Configurator with Cupola and every installed add-on included."""
    settings = dict(settings or {})
    config = Configurator(settings=settings)
    config.include("cupola")
    include_addons(config, settings)
    registry = config.commit()
    registry.skins = Skins(registry, auto_reload=_as_bool(settings.get("debug")))
    return config


def discover_addons(settings):
    """Dotted names of add-ons: ``addons`` setting plus the entry point group."""
    return [target for _, target, _ in discover(settings)]


def make_app(global_config=None, **settings):
    """PasteDeploy ``paste.app_factory``: build the application from settings."""
    settings = {**(global_config or {}), **settings}
    uri = os.environ.get("CUPOLA_ZODB_URI") or settings.get("zodb_uri")
    base = settings.get("here") or os.getcwd()
    config = configure(settings)
    db = open_database(uri, base)
    if _as_bool(settings.get("create_site", "true")):
        when_no_conflict(lambda: bootstrap(
            db, echo=lambda msg: log.warning(msg), registry=config.registry))
    setup_audit_log(settings.get("audit_log", os.path.join(base, "var", "log", "audit.log")))
    app = Application(config.registry, db, settings)
    return app


def open_database(uri, base=None, lock_wait=None):
    """``open_db``, waiting for a FileStorage that another process has open.

    *lock_wait* seconds (default ``CUPOLA_LOCK_WAIT``, else 0: fail at once
    with DatabaseLocked); CGI, a process per request, waits 30 seconds.
    A ConflictError from processes creating a new database at once is
    tried again.
    """
    from cupola.db.storage import DatabaseLocked
    if lock_wait is None:
        lock_wait = float(os.environ.get("CUPOLA_LOCK_WAIT") or 0)
    deadline = time.monotonic() + lock_wait
    pause = 0.01
    while True:
        try:
            return when_no_conflict(lambda: open_db(uri, base=base))
        except DatabaseLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def when_no_conflict(func, attempts=5):
    """``func()``, tried again when another process starting at once conflicts.

    Workers of gunicorn, uWSGI or mod_wsgi starting together on one fresh
    ZEO or RelStorage database all create its root and the site; all but
    one meet a ConflictError, and their next attempt finds both made.
    """
    from ZODB.POSException import ConflictError
    for attempt in range(attempts):
        try:
            return func()
        except ConflictError:
            if attempt == attempts - 1:
                raise
            log.info("another process is creating the database; trying again")
            time.sleep(0.05 * (attempt + 1))


def setup_audit_log(path):
    """Write the ``cupola.audit`` logger to *path* (one JSON line per event).

    Skipped when *path* is empty or "none", or when the logger already has
    handlers (a logging configuration in the .ini file wins).
    """
    audit = logging.getLogger("cupola.audit")
    if not path or path.lower() == "none" or audit.handlers:
        return None
    from logging.handlers import WatchedFileHandler
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    handler = WatchedFileHandler(path, encoding="utf-8")  # works with logrotate
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    return handler


def app_from_config(path):
    from paste.deploy import loadapp
    return loadapp("config:" + os.path.abspath(path))


class _LazyApplication:
    """Builds the real application on the first request (after fork)."""

    def __init__(self):
        self._app = None
        self._lock = threading.Lock()

    def load(self):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    path = os.environ.get("CUPOLA_CONFIG")
                    self._app = app_from_config(path) if path else make_app()
        return self._app

    def __call__(self, environ, start_response):
        return self.load()(environ, start_response)


application = _LazyApplication()


def run_cgi():
    """Answer one CGI request with ``application`` (for a ``.cgi`` script).

    Reads ``CUPOLA_CONFIG`` or ``CUPOLA_ZODB_URI`` like ``application``;
    see ``cupola.gateways.run_cgi`` and docs/deploy.md.
    """
    from cupola.gateways import run_cgi as run
    run(application)


def run_fcgi(bind=None, threads=8):
    """Serve ``application`` over FastCGI (flup) on *bind* until a signal.

    *bind* is ``host:port`` or a socket path (default ``CUPOLA_FCGI_BIND``,
    else the socket a web server passed as stdin). The application is built
    first: a site that cannot start exits 1 with the reason on stderr.
    """
    from cupola.gateways import load_or_exit, run_fcgi as run
    run(load_or_exit(application), bind or os.environ.get("CUPOLA_FCGI_BIND"),
        threads=threads)
