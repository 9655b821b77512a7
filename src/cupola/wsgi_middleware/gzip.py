"""gzip compression of text responses (``egg:cupola#gzip``).

Compressed: 200 responses of text types (HTML, CSS, JS, JSON, XML, SVG,
feeds) of at least ``min_size`` bytes, to clients whose ``Accept-Encoding``
allows gzip. Bodies with a known length up to ``max_size`` are compressed
whole (the response keeps a ``Content-Length``); longer or unknown-length
bodies (streamed files) are compressed chunk by chunk as they stream.

Left alone: HEAD requests, Range requests and 206 answers, other statuses,
responses that already carry a ``Content-Encoding`` or say
``Cache-Control: no-transform``, and binary types (images, archives).

Every response that could have been compressed says ``Vary:
Accept-Encoding``, compressed or not, so that caches keep the two apart.
A compressed response's ETag gets a ``-gz`` suffix (a different body needs
a different tag); the publisher and the response cache accept the suffixed
tag in ``If-None-Match``.
"""

import hashlib
import threading
import zlib

COMPRESSIBLE = ("text/", "application/json", "application/javascript",
                "application/xml", "application/rss+xml", "application/atom+xml",
                "application/xhtml+xml", "application/ld+json",
                "application/manifest+json", "image/svg+xml")


def accepts_gzip(header):
    """Whether an ``Accept-Encoding`` value allows gzip (``q=0`` refuses)."""
    if not header or "gzip" not in header and "*" not in header:
        return False
    star = None
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return bool(star)


class _Plan:
    """What to do with one response, decided when its headers arrive."""

    __slots__ = ("mode", "status", "headers", "exc_info", "written")

    def __init__(self):
        self.mode = None  # "pass", "whole" or "stream"
        self.written = []  # data given to the legacy write() callable


class CompressedCache:
    """Compressed bodies by a digest of the plain body, bounded.

    The same page is often sent many times (anonymous visitors, the
    publisher's response cache): hashing it costs a few microseconds,
    compressing it a hundred times more. Keyed by content, never by URL or
    ETag, so it cannot hand out another page's bytes.
    """

    max_body = 256 << 10  # larger bodies are compressed each time

    def __init__(self, max_bytes=16 << 20):
        self.max_bytes = max_bytes
        self._entries = {}  # {digest: compressed bytes}
        self._bytes = 0
        self._lock = threading.Lock()

    def compress(self, data, level):
        if len(data) > self.max_body:
            return _gzip(data, level)
        key = hashlib.blake2b(data, digest_size=16).digest()
        found = self._entries.get(key)
        if found is None:
            found = _gzip(data, level)
            with self._lock:
                if self._bytes + len(found) > self.max_bytes:
                    self._entries.clear()
                    self._bytes = 0
                self._entries[key] = found
                self._bytes += len(found)
        return found


def _gzip(data, level):
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


class GzipMiddleware:
    """Compress text responses when the client accepts gzip."""

    def __init__(self, app, level=6, min_size=512, max_size=8 << 20, cache_mb=16):
        self.app, self.level = app, int(level)
        self.min_size, self.max_size = int(min_size), int(max_size)
        cache_mb = int(cache_mb)
        self.cache = CompressedCache(cache_mb << 20) if cache_mb > 0 else None

    def __call__(self, environ, start_response):
        wanted = (environ.get("REQUEST_METHOD") != "HEAD"
                  and not environ.get("HTTP_RANGE")
                  and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")))
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and inm and '-gz"' in inm:
            # the client holds our compressed variant: let the application
            # compare the tag it made (a 304 is renamed on the way back)
            environ["HTTP_IF_NONE_MATCH"] = _with_plain_tags(inm)
        plan = _Plan()

        def capture(status, headers, exc_info=None):
            if wanted and status.startswith("304"):
                headers = _gz_etag_if_asked(headers, environ.get("HTTP_IF_NONE_MATCH", ""))
            mode = self._decide(status, headers, wanted)
            if mode == "pass":
                plan.mode = "pass"
                return start_response(status, headers, exc_info)
            if mode == "vary":
                plan.mode = "pass"
                return start_response(status, _with_vary(headers), exc_info)
            plan.mode, plan.status, plan.exc_info = mode, status, exc_info
            plan.headers = headers
            return plan.written.append

        body = self.app(environ, capture)
        if plan.mode is None:  # an app that calls start_response lazily
            body = _Primed(body)
        if plan.mode in (None, "pass"):
            return body
        if plan.mode == "whole":
            try:
                data = b"".join([*plan.written, *body])
            finally:
                _close(body)
            data = (self.cache.compress(data, self.level) if self.cache is not None
                    else _gzip(data, self.level))
            headers = _compressed_headers(plan.headers, len(data))
            start_response(plan.status, headers, plan.exc_info)
            return [data]
        start_response(plan.status, _compressed_headers(plan.headers, None),
                       plan.exc_info)
        return _stream(plan.written, body, self.level)

    def _decide(self, status, headers, wanted):
        if not status.startswith("200"):
            return "pass"
        ctype = encoding = length = cache_control = None
        for name, value in headers:
            lower = name.lower()
            if lower == "content-type":
                ctype = value.lower()
            elif lower == "content-encoding":
                encoding = value
            elif lower == "content-length":
                length = value
            elif lower == "cache-control":
                cache_control = value.lower()
        if (ctype is None or not ctype.startswith(COMPRESSIBLE) or encoding
                or (cache_control and "no-transform" in cache_control)):
            return "pass"
        if length is not None:
            try:
                length = int(length)
            except ValueError:
                return "pass"
            if length < self.min_size:
                return "pass"
        if not wanted:
            return "vary"
        if length is None or length > self.max_size:
            return "stream"
        return "whole"


def _with_vary(headers):
    vary = [v for k, v in headers if k.lower() == "vary"]
    if any("accept-encoding" in v.lower() or v.strip() == "*" for v in vary):
        return headers
    rest = [(k, v) for k, v in headers if k.lower() != "vary"]
    vary.append("Accept-Encoding")
    return rest + [("Vary", ", ".join(vary))]


def _with_plain_tags(if_none_match):
    tags = [t.strip() for t in if_none_match.split(",") if t.strip()]
    plain = [t[:-4] + '"' for t in tags if t.endswith('-gz"')]
    return ", ".join(tags + [t for t in plain if t not in tags])


def _gz_etag_if_asked(headers, if_none_match):
    """On a 304, name the compressed variant the client holds."""
    out = []
    for name, value in headers:
        if name.lower() == "etag" and value.endswith('"') \
                and value[:-1] + '-gz"' in if_none_match:
            value = value[:-1] + '-gz"'
        out.append((name, value))
    return out


def _compressed_headers(headers, length):
    out = []
    for name, value in _with_vary(headers):
        lower = name.lower()
        if lower == "content-length":
            continue
        if lower == "etag" and value.endswith('"'):
            value = value[:-1] + '-gz"'
        if lower == "accept-ranges":
            continue  # ranges of the compressed body are not offered
        out.append((name, value))
    out.append(("Content-Encoding", "gzip"))
    if length is not None:
        out.append(("Content-Length", str(length)))
    return out


def _stream(written, body, level):
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    try:
        for chunk in written:
            out = compressor.compress(chunk)
            if out:
                yield out
        for chunk in body:
            out = compressor.compress(chunk)
            if out:
                yield out
        yield compressor.flush()
    finally:
        _close(body)


def _close(body):
    close = getattr(body, "close", None)
    if close is not None:
        close()


class _Primed:
    """An iterable whose first item was taken early; keeps ``close``."""

    def __init__(self, body):
        self._body = body
        self._iter = iter(body)
        self._first = []
        for chunk in self._iter:
            self._first.append(chunk)
            break

    def __iter__(self):
        yield from self._first
        yield from self._iter

    def close(self):
        _close(self._body)


def make_gzip_filter(app, global_config=None, **settings):
    """PasteDeploy ``filter_app_factory`` for ``egg:cupola#gzip``."""
    return GzipMiddleware(app, level=settings.get("compress_level", 6),
                          min_size=settings.get("min_size", 512),
                          max_size=settings.get("max_size", 8 << 20),
                          cache_mb=settings.get("cache_mb", 16))
