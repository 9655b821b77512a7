"""``/++resource++<package>/<path>``: static files from the skin layers."""

import mimetypes
import os

from webob import Response
from webob.static import FileIter

from cupola.exceptions import NotFound
from cupola.interfaces import ISite

LONG = 365 * 24 * 3600


def resource(context, request):
    subpath = request.subpath
    if not subpath:
        raise NotFound()
    package, rest = subpath[0], "/".join(subpath[1:])
    path = request.registry.skins.static_path(package, rest)
    if path is None:
        raise NotFound(f"no resource {package}/{rest}")
    ctype, encoding = mimetypes.guess_type(path)
    stat = os.stat(path)
    response = Response(app_iter=FileIter(open(path, "rb")),
                        content_type=ctype or "application/octet-stream",
                        content_length=stat.st_size, conditional_response=True)
    if (ctype or "").startswith("text/") or ctype in ("application/javascript",):
        response.charset = "utf-8"
    response.last_modified = stat.st_mtime
    response.etag = f"{int(stat.st_mtime)}-{stat.st_size}"
    if "v" in request.GET:
        response.cache_control = f"public, max-age={LONG}, immutable"
    else:
        response.cache_control = "public, max-age=3600"
    return response


def includeme(config):
    config.add_view(resource, "++resource++", context=ISite,
                    permission="cupola.Public", accepts_subpath=True)
