"""Downloading files and images: streamed from the blob, with Range."""

from urllib.parse import quote

from webob import Response
from webob.static import FileIter

from cupola.interfaces import IFile

# Only these types are shown inline; anything else (HTML, SVG, ...) is
# always an attachment so an upload can never run script in the site.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif",
                          "image/webp", "application/pdf", "text/plain",
                          "video/mp4", "audio/mpeg"})


def content_disposition(kind, filename):
    """RFC 6266 header: an ASCII fallback and the UTF-8 name."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_"
                         for c in filename) or "download"
    value = f'{kind}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def serve_blob(context, request, disposition):
    """Stream *context*'s blob; WebOb answers Range and conditional GET."""
    path = context.blob.committed()
    ctype = context.content_type or "application/octet-stream"
    if disposition == "inline" and ctype not in INLINE_TYPES:
        disposition = "attachment"
    response = Response(
        app_iter=FileIter(open(path, "rb")),
        content_type=ctype,
        content_length=context.size,
        conditional_response=True)
    response.charset = None if not ctype.startswith("text/") else "utf-8"
    response.accept_ranges = "bytes"
    response.etag = context._p_serial.hex()
    response.last_modified = context.modified
    response.cache_control = "private, no-cache"
    response.headers["Content-Disposition"] = content_disposition(
        disposition, context.filename or context.__name__)
    return response


def download(context, request):
    """``@@download``: the file as an attachment."""
    return serve_blob(context, request, "attachment")


def inline(context, request):
    """``@@inline``: shown in the browser when the type is safe to show."""
    return serve_blob(context, request, "inline")


def includeme(config):
    config.add_view(download, "download", context=IFile, permission="cupola.View")
    config.add_view(inline, "inline", context=IFile, permission="cupola.View")
