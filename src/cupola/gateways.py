"""CGI and FastCGI: the older gateways between a web server and Cupola.

``run_cgi(app)`` answers the one request of a CGI process through
``wsgiref.handlers.CGIHandler``; ``run_fcgi(app, bind)`` is flup's threaded
FastCGI server, for nginx or Apache's ``mod_proxy_fcgi``. Both are reached
through ``cupola.wsgi.run_cgi()`` / ``run_fcgi()`` and ``cupola fcgi``.

A FileStorage is open in one process at a time. CGI starts a process per
request, so a CGI request waits for the database lock of the one before
(``CUPOLA_LOCK_WAIT`` seconds, default 30 here) and answers 503 when it
stays locked; several busy visitors want a ZEO server instead.
"""

import logging
import os
import stat
import sys
import tempfile

log = logging.getLogger("cupola.gateways")
LOCK_WAIT = 30.0


def use_template_cache(path=None):
    """Keep compiled page templates on disk, shared by later processes.

    Compiling Cupola's templates costs a CGI request most of its time; the
    compiled modules are named by a digest of the template and of the
    installed packages, so a changed template compiles again. *path*
    defaults to ``CUPOLA_TEMPLATE_CACHE``, else a folder of this user's in
    the temporary directory. It is created with mode 0700, and refused when
    it is a symbolic link, or another user owns it or may write to it (its
    files are run as code).
    Does nothing when ``CHAMELEON_CACHE`` already names a cache. Returns
    the folder in use, or None.
    """
    from chameleon.config import CACHE_DIRECTORY
    from chameleon.loader import ModuleLoader
    from chameleon.template import BaseTemplate
    if CACHE_DIRECTORY:
        return CACHE_DIRECTORY
    path = path or os.environ.get("CUPOLA_TEMPLATE_CACHE") or os.path.join(
        tempfile.gettempdir(), f"cupola-templates-{os.getuid()}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)  # a symbolic link could point anywhere: refused
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        log.warning("not using the template cache %s: it must be a folder of "
                    "this user's, writable by no one else", path)
        return None
    # Chameleon picks its loader once, from CHAMELEON_CACHE at import time.
    BaseTemplate.loader = ModuleLoader(path)
    return path


def plain_error(start_response, status, message, headers=()):
    """A short text answer for a gateway that could not start the site."""
    body = f"{message}\n".encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), *headers])
    return [body]


def find_db(app):
    """The ZODB of the Cupola application inside *app* (a pipeline), or None."""
    for _ in range(20):
        if app is None or hasattr(app, "db"):
            break
        app = (getattr(app, "_app", None) or getattr(app, "app", None)
               or getattr(app, "application", None))
    return getattr(app, "db", None)


def run_cgi(app, wait=None, end_process=True):
    """Answer this process's CGI request with *app* (a lazy ``application``).

    *app* needs a ``load()`` that builds the real application. A database
    still locked after *wait* seconds (default ``CUPOLA_LOCK_WAIT``, else
    30) gives a 503, a site that cannot start a 500; their details go to
    stderr, the web server's error log. The database is closed, so its
    index stays current; then, with *end_process*, the process ends at
    once with ``os._exit(0)`` (after flushing output and logs), skipping
    the interpreter's teardown of every module, which a CGI process never
    needs.
    """
    from wsgiref.handlers import CGIHandler
    if wait is not None:
        os.environ["CUPOLA_LOCK_WAIT"] = str(wait)
    else:
        os.environ.setdefault("CUPOLA_LOCK_WAIT", str(LOCK_WAIT))
    loaded = []

    def gateway(environ, start_response):
        from cupola.db.storage import DatabaseLocked
        from cupola.exceptions import CupolaError
        try:
            real = app.load()  # waits CUPOLA_LOCK_WAIT for a FileStorage
        except DatabaseLocked as e:
            print(f"cupola: {e}", file=sys.stderr)
            return plain_error(start_response, "503 Service Unavailable",
                               "The site is busy; try again in a moment.",
                               [("Retry-After", "5")])
        except (CupolaError, OSError) as e:
            # the details go to the web server's error log, not the visitor
            print(f"cupola: the site cannot start: {e}", file=sys.stderr)
            return plain_error(start_response, "500 Internal Server Error",
                               "The site cannot start; its error log says why.")
        loaded.append(real)
        return real(environ, start_response)

    use_template_cache()
    try:
        CGIHandler().run(gateway)
    finally:
        for real in loaded:
            db = find_db(real)
            if db is not None:
                db.close()
    if end_process:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(0)


def load_or_exit(app):
    """``app.load()``, or exit 1 with one line on stderr if the site cannot start."""
    from cupola.exceptions import CupolaError
    try:
        return app.load()
    except (CupolaError, OSError) as e:
        print(f"cupola: the site cannot start: {e}", file=sys.stderr)
        raise SystemExit(1) from None


def parse_bind(bind):
    """``host:port`` → (host, port); anything with a ``/`` is a socket path."""
    if "/" in bind:
        return bind
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"--bind {bind!r}: give host:port or a socket path")
    if ":" in host or "[" in host:  # flup's server listens on IPv4 only
        raise ValueError(f"--bind {bind!r}: FastCGI listens on an IPv4 "
                         "address or a Unix socket path")
    return (host or "127.0.0.1", int(port))


def run_fcgi(app, bind=None, threads=8, umask=None):
    """Serve *app* over FastCGI with flup's threaded server until a signal.

    *bind* is ``host:port`` or a Unix socket path; without one the web
    server must have passed a listening socket as stdin (its own spawner).
    Returns when SIGTERM, SIGINT or SIGHUP arrives.
    """
    try:
        from flup.server.fcgi import WSGIServer
    except ImportError as e:
        raise RuntimeError("FastCGI needs flup: pip install 'cupola[fastcgi]'") from e
    address = parse_bind(bind) if bind else None
    server = WSGIServer(app, bindAddress=address, umask=umask,
                        multithreaded=True, multiprocess=False,
                        minSpare=1, maxSpare=threads, maxThreads=threads)
    log.info("Cupola is serving FastCGI on %s", bind or "the socket on stdin")
    server.run()
