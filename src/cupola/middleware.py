"""WSGI middleware for the PasteDeploy pipeline: gzip compression."""

import gzip
import io

COMPRESSIBLE = ("text/", "application/json", "application/javascript",
                "application/xml", "application/rss+xml", "application/atom+xml",
                "image/svg+xml")


class GzipMiddleware:
    """Compress text responses when the client accepts gzip.

    Streams (and files served with Range) pass through untouched; small
    bodies are not worth compressing.
    """

    max_size = 8 << 20  # bigger bodies stream through uncompressed

    def __init__(self, app, level=6, min_size=512):
        self.app, self.level, self.min_size = app, int(level), int(min_size)

    def __call__(self, environ, start_response):
        if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", "") \
                or environ.get("HTTP_RANGE"):
            return self.app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            captured["exc_info"] = exc_info
            return lambda data: None  # legacy write() is not supported here

        body_iter = self.app(environ, capture)
        status, headers = captured["status"], captured["headers"]
        names = {k.lower(): v for k, v in headers}
        ctype = names.get("content-type", "")
        if (not ctype.startswith(COMPRESSIBLE) or "content-encoding" in names
                or not status.startswith("200")
                or not self.min_size <= int(names.get("content-length") or self.min_size)
                <= self.max_size):
            start_response(status, headers, captured["exc_info"])
            return body_iter
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close:
                close()
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=self.level,
                           mtime=0) as gz:
            gz.write(body)
        data = buf.getvalue()
        headers = [(k, v) for k, v in headers
                   if k.lower() not in ("content-length", "etag")]
        vary = names.get("vary")
        headers = [(k, v) for k, v in headers if k.lower() != "vary"]
        headers.append(("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"))
        headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(data))))
        if "etag" in names:  # a different body needs a different tag
            etag = names["etag"]
            headers.append(("ETag", etag[:-1] + '-gz"' if etag.endswith('"') else etag))
        start_response(status, headers, captured["exc_info"])
        return [data]


def make_gzip_filter(app, global_config=None, **settings):
    return GzipMiddleware(app, level=settings.get("compress_level", 6),
                          min_size=settings.get("min_size", 512))
