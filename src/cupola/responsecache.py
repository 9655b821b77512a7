"""A cache of whole anonymous responses, valid for one database transaction.

What an anonymous visitor sees of a content view depends only on the data
(the database's last transaction id), the address and the request's
``Accept`` header, and on the time for content with publication dates. So
the publisher keeps the finished responses of anonymous GETs of
conditional views (the default views of content), keyed by exactly those,
and answers the same request again from memory, a 304 included, until the
next commit anywhere empties the cache. It is what a caching proxy in
front of the site would do, inside each process: off with
``response_cache = false``.

Never cached: requests with a session cookie, a status-message cookie or
an ``Authorization`` header; responses other than 200; responses setting
cookies; views not registered ``conditional=True``.
"""

import threading
import time

from cupola.security.session import COOKIE as SESSION_COOKIE

MESSAGES_COOKIE = "cupola_messages"
UNTIL = "cupola.cache_until"  # environ: the response is valid until then
CACHEABLE = "cupola.cacheable"  # environ: set by the publisher when it may be


class Entry:
    __slots__ = ("status", "headers", "body", "etag", "until")

    def __init__(self, status, headers, body, etag, until):
        self.status, self.headers, self.body = status, headers, body
        self.etag, self.until = etag, until


class ResponseCache:
    """Finished anonymous responses of the current transaction, bounded."""

    def __init__(self, max_entries=2000, max_bytes=64 << 20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._tid = None
        self._entries = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def key(self, environ, tid):
        """The key of *environ*'s response, or None when it is not cacheable."""
        method = environ["REQUEST_METHOD"]
        if method != "GET" and method != "HEAD":
            return None
        cookies = environ.get("HTTP_COOKIE", "")
        if cookies and (SESSION_COOKIE in cookies or MESSAGES_COOKIE in cookies):
            return None
        if "HTTP_AUTHORIZATION" in environ:
            return None
        if tid != self._tid:
            self._reset(tid)
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
                environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""), tid)

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None or (entry.until is not None and entry.until <= time.time()):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key, response, until=None):
        """Keep *response* (a finished 200 WebOb response) for *key*."""
        if key[-1] != self._tid:
            return  # a commit happened meanwhile; the key is stale
        body = response.body
        headers = [(k, v) for k, v in response.headerlist]
        entry = Entry(response.status, headers, body, response.headers.get("ETag"), until)
        with self._lock:
            if (len(self._entries) >= self.max_entries
                    or self._bytes + len(body) > self.max_bytes):
                self._entries.clear()
                self._bytes = 0
            self._entries[key] = entry
            self._bytes += len(body)

    def _reset(self, tid):
        with self._lock:
            self._tid = tid
            self._entries = {}
            self._bytes = 0

    def __len__(self):
        return len(self._entries)


def answer(entry, environ, start_response, extra_headers):
    """Send a cached *entry*: a 304 when the client has it, HEAD without body."""
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm and entry.etag and _matches(inm, entry.etag):
        start_response("304 Not Modified", [("ETag", entry.etag), *extra_headers])
        return []
    start_response(entry.status, entry.headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]


def _matches(if_none_match, etag):
    if if_none_match.strip() == "*":
        return True
    bare = etag.strip('"')
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        candidate = candidate.strip('"')
        if candidate == bare or candidate == bare + "-gz":
            return True
    return False


def note_expiry(environ, when):
    """Make the response being built stale at *when* (a POSIX timestamp)."""
    current = environ.get(UNTIL)
    if current is None or when < current:
        environ[UNTIL] = when
