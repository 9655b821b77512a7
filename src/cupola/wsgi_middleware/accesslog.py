"""Request logging in Apache's combined log format (``egg:cupola#accesslog``).

One line per request, written when the response body has been sent::

    203.0.113.9 - alice [28/Nov/2026:18:40:02 +0000] "GET /news HTTP/1.1" 200 5123 "https://example.org/" "Mozilla/5.0 ..."

the fields of ``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``;
``%u`` is the signed-in Cupola user. With ``latency = true`` the time
taken in microseconds (Apache's ``%D``) is appended. Log analysers that
read Apache or nginx logs (GoAccess, AWStats, ...) read these.

``path`` names a file to append the lines to (opened again when
logrotate moves it) or ``-`` for stderr; with ``path`` empty they go to the
logger ``cupola.access`` and the .ini file's logging configuration decides.
"""

import logging
import os
import re
import sys
import threading
import time
from urllib.parse import quote

from cupola.wsgi_middleware.body import CountedBody

log = logging.getLogger("cupola.access")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
           "Oct", "Nov", "Dec")


_UNSAFE = re.compile(r'[\x00-\x1f"\\\x7f-\U0010ffff]')


def _escaped(match):
    ch = match.group()
    if ch in '"\\':
        return "\\" + ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(value):
    """A header value made safe for a quoted log field (as Apache does)."""
    return _UNSAFE.sub(_escaped, value)


def request_line(environ):
    """``GET /path?query HTTP/1.1`` as the client sent it (or close to it)."""
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not target:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        target = quote(path, safe="/@:+!$&'()*,;=~-._", encoding="latin-1")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
    elif environ.get("cupola.proxy_peer") is not None and environ.get("SCRIPT_NAME"):
        # the proxy removed its prefix: log the address the client asked for
        if not target.startswith(environ["SCRIPT_NAME"]):
            target = environ["SCRIPT_NAME"] + target
    return (f"{environ.get('REQUEST_METHOD', '-')} {target} "
            f"{environ.get('SERVER_PROTOCOL', 'HTTP/1.0')}")


def timestamp(when):
    t = time.localtime(when)
    offset = t.tm_gmtoff
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset) // 60
    return (f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} "
            f"{sign}{offset // 60:02d}{offset % 60:02d}")


def format_line(environ, status, size, started, elapsed=None):
    user = environ.get("cupola.user")
    login = getattr(user, "login", None) or environ.get("REMOTE_USER") or "-"
    line = (f"{environ.get('REMOTE_ADDR') or '-'} - {escape(login)} "
            f"[{timestamp(started)}] \"{escape(request_line(environ))}\" "
            f"{status.split(' ', 1)[0]} {size or '-'} "
            f"\"{escape(environ.get('HTTP_REFERER', '-'))}\" "
            f"\"{escape(environ.get('HTTP_USER_AGENT', '-'))}\"")
    if elapsed is not None:
        line += f" {int(elapsed * 1_000_000)}"
    return line


class AccessLogMiddleware:
    """Log each request in combined format once its body has been sent."""

    def __init__(self, app, logger=log, latency=False):
        self.app, self.logger, self.latency = app, logger, latency

    def __call__(self, environ, start_response):
        started = time.time()
        clock = time.perf_counter()
        seen = {"status": "500 Internal Server Error"}

        def capture(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, capture)
        except BaseException:
            self._write(environ, seen["status"], 0, started, clock)
            raise
        return CountedBody(body, lambda counted: self._write(
            environ, seen["status"], counted.size, started, clock))

    def _write(self, environ, status, size, started, clock):
        elapsed = time.perf_counter() - clock if self.latency else None
        self.logger.info(format_line(environ, status, size, started, elapsed))


class LineFile:
    """Appends lines to a file, one write and flush each, under a lock.

    Lighter than a logging handler on the path of every request. Like
    ``WatchedFileHandler`` it opens the file again when logrotate has moved
    it, but looks at most once a second. ``-`` writes to stderr.
    """

    check_every = 1.0

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._checked = 0.0
        self._file = None if path == "-" else self._open()

    def _open(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        return open(self.path, "a", encoding="utf-8", errors="backslashreplace")

    def _moved(self):
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return True
        mine = os.fstat(self._file.fileno())
        return (on_disk.st_dev, on_disk.st_ino) != (mine.st_dev, mine.st_ino)

    def info(self, line):
        with self._lock:
            if self.path != "-":
                now = time.monotonic()
                if now - self._checked >= self.check_every:
                    self._checked = now
                    if self._moved():
                        self._file.close()
                        self._file = self._open()
            out = sys.stderr if self.path == "-" else self._file
            out.write(line + "\n")
            out.flush()


_line_files = {}  # {absolute path or "-": LineFile}; one per file per process


def file_logger(path):
    """The LineFile for *path*: pipelines naming one file share it."""
    target = os.path.abspath(path) if path != "-" else "-"
    found = _line_files.get(target)
    if found is None:
        found = _line_files[target] = LineFile(target)
    return found


def make_accesslog_filter(app, global_config=None, **settings):
    """PasteDeploy ``filter_app_factory`` for ``egg:cupola#accesslog``."""
    path = (settings.get("path") or "").strip()
    logger = file_logger(path) if path else log
    latency = str(settings.get("latency", "false")).strip().lower() in ("1", "true", "yes", "on")
    return AccessLogMiddleware(app, logger=logger, latency=latency)
