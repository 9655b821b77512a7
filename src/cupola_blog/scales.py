"""Smaller copies of lead images: ``<image>/@@blog-scale/lead`` (1280
pixels wide at most) and ``@@blog-scale/teaser`` (640), so a front page
of ten posts does not send ten full-size photographs.

Cupola has no image scales of its own, so the blog makes them: only
these two fixed widths (no width from the URL: nobody can make the
server scale to any size), computed with Pillow on first request and
kept in a small in-process cache keyed by the image's database, oid and
serial (a new upload is a new serial, so a stale copy is never served).
Nothing is written to the database by a GET. The response has an ETag
from the serial and the width, so browsers revalidate with a 304. An
image already narrow enough, or one Pillow cannot scale, is served as is
(``@@inline``).
"""

import threading
from collections import OrderedDict
from io import BytesIO

from webob import Response

from cupola.exceptions import NotFound
from cupola.interfaces import IImage
from cupola.security.roles import VIEW
from cupola.views.files import inline

SIZES = {"lead": 1280, "teaser": 640}
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP",
           "image/gif": "PNG"}  # a GIF's scale is a PNG (first frame)
CACHE_ENTRIES, CACHE_BYTES = 128, 32 << 20

_lock = threading.Lock()
_cache = OrderedDict()  # {(db id, oid, serial, width): (bytes, content type)}
_cached_bytes = 0


def scaled_size(width, height, target):
    """(w, h) of an image of *width* x *height* at most *target* wide."""
    if not width or not height or width <= target:
        return width or None, height or None
    return target, max(1, round(height * target / width))


def _key(image, width):
    jar = image._p_jar
    return (id(jar.db()) if jar is not None else 0, image._p_oid, image._p_serial, width)


def _remember(key, value):
    global _cached_bytes
    with _lock:
        _cache[key] = value
        _cached_bytes += len(value[0])
        while len(_cache) > CACHE_ENTRIES or _cached_bytes > CACHE_BYTES:
            _, (old, _) = _cache.popitem(last=False)
            _cached_bytes -= len(old)


def _recall(key):
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def make_scale(image, width):
    """(bytes, content type) of *image* at most *width* wide, or None when
    it cannot be scaled (unknown format, unreadable, too many pixels)."""
    from PIL import Image as PILImage, UnidentifiedImageError
    fmt = FORMATS.get(image.content_type)
    if fmt is None:
        return None
    try:
        with image.open() as f, PILImage.open(f) as img:
            img.load()
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif fmt == "PNG" and img.mode == "P":
                img = img.convert("RGBA")
            img.thumbnail((width, 10 * width), PILImage.LANCZOS)
            out = BytesIO()
            options = {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") \
                else {"optimize": True}
            img.save(out, fmt, **options)
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError):
        return None
    return out.getvalue(), f"image/{fmt.lower()}"


def blog_scale(context, request):
    """``@@blog-scale/NAME``: the image at one of SIZES (see the module)."""
    subpath = tuple(request.subpath or ())
    if len(subpath) != 1 or subpath[0] not in SIZES:
        raise NotFound("An image scale is @@blog-scale/lead or @@blog-scale/teaser.")
    width = SIZES[subpath[0]]
    if not context.width or context.width <= width:
        return inline(context, request)
    key = _key(context, width)
    found = _recall(key)
    if found is None:
        found = make_scale(context, width)
        if found is None:
            return inline(context, request)
        _remember(key, found)
    body, content_type = found
    response = Response(body=body, content_type=content_type, conditional_response=True)
    response.etag = f"{context._p_serial.hex()}-{width}"
    response.last_modified = context.modified
    response.cache_control = "private, no-cache"
    return response


def clear_cache():
    global _cached_bytes
    with _lock:
        _cache.clear()
        _cached_bytes = 0


def includeme(config):
    config.add_view(blog_scale, "blog-scale", context=IImage, permission=VIEW,
                    accepts_subpath=True)
