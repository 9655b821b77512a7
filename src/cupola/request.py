"""The request: WebOb's, with bodies parsed by ``multipart`` and buffered.

The body is read once into a spooled temporary file (memory up to 1 MB,
disk beyond), so that a request replayed after a ``ConflictError`` sees the
same input, and so that an oversized body is refused with 413 before any
work is done.
"""

import re
import tempfile
from urllib.parse import quote

import multipart
from webob.request import BaseRequest
from zope.interface import implementer

from cupola.exceptions import BadRequest, NotFound, RequestTooLarge
from cupola.interfaces import IContainer, IDefaultLayer
from cupola.traversal import quote_name

SPOOL = 1 << 20
PATH_SAFE = "/@:+!$&'()*,;=~-._"
KEEP = frozenset({"cupola.body", "cupola.root_url", "cupola.new_csrf",
                  "cupola.virtual_root"})
VIRTUAL_ROOT = "cupola.virtual_root"  # environ: names of the folder mounted as "/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "PROPFIND",
                          "PROPPATCH", "MKCOL", "LOCK"})


_ROOT_PATH = re.compile(r";\s*Path=/\s*(?=;|$)", re.I)


def scope_cookies(headerlist, prefix):
    """Make cookies set for ``Path=/`` apply to *prefix* (``SCRIPT_NAME``) only.

    Cupola sets its cookies for "/", the site's root; a site served below
    ``/cms`` then keeps its cookies to ``/cms``, apart from other
    applications (or other Cupola sites) on the same host name.
    """
    path = "; Path=" + quote(prefix.rstrip("/") or "/", safe=PATH_SAFE, encoding="latin-1")
    for i, (name, value) in enumerate(headerlist):
        if name.lower() == "set-cookie":
            headerlist[i] = (name, _ROOT_PATH.sub(lambda m: path, value))


@implementer(IDefaultLayer)
class Request(BaseRequest):
    """A WebOb request that knows its registry, site, context and view."""

    registry = None
    site = None
    context = None
    view_name = ""
    subpath = ()
    conn = None
    tid = b""  # the database's last transaction when the request began
    _form = None

    def buffer_body(self, max_size):
        """Read the body into a rewindable file, at most *max_size* bytes."""
        env = self.environ
        if env["REQUEST_METHOD"] not in BODY_METHODS:
            return
        length = env.get("CONTENT_LENGTH") or "0"
        try:
            length = int(length)
        except ValueError:
            raise BadRequest("Content-Length is not a number.") from None
        if length < 0:
            raise BadRequest("Content-Length is negative.")
        if length > max_size:
            raise RequestTooLarge(
                f"The request body is {length:,} bytes; the limit is {max_size:,}.")
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        source, left = env["wsgi.input"], length
        while left > 0:
            chunk = source.read(min(left, 1 << 16))
            if not chunk:
                raise BadRequest("The request body ended early.")
            spool.write(chunk)
            left -= len(chunk)
        spool.seek(0)
        env["wsgi.input"] = spool
        env["cupola.body"] = spool
        env["CONTENT_LENGTH"] = str(length)

    def rewind(self):
        """Prepare for a (re)play: rewind the body and forget parsed state."""
        body = self.environ.get("cupola.body")
        if body is not None:
            body.seek(0)
        self._form = None
        env = self.environ
        for key in [k for k in env if k.startswith("cupola.") and k not in KEEP]:
            del env[key]  # identity and permission caches of the last attempt
        for key in ("context", "view_name", "subpath", "site", "conn", "_vroot"):
            self.__dict__.pop(key, None)

    def _parse(self):
        if self._form is None:
            env = self.environ
            if env["REQUEST_METHOD"] in BODY_METHODS and env.get("CONTENT_TYPE"):
                body = env.get("cupola.body")
                if body is not None:
                    body.seek(0)
                try:
                    forms, files = multipart.parse_form_data(
                        env, strict=False, ignore_errors=False,
                        memory_limit=8 << 20, disk_limit=1 << 40,
                        part_limit=1000)
                except multipart.MultipartError as e:
                    raise BadRequest(f"The form data is malformed: {e}") from None
                except UnicodeDecodeError:
                    raise BadRequest("The form data is not valid UTF-8.") from None
            else:
                forms, files = multipart.MultiDict(), multipart.MultiDict()
            self._form = (forms, files)
        return self._form

    @property
    def form(self):
        """Text fields of a POSTed form (a MultiDict; ``getall`` for lists)."""
        return self._parse()[0]

    @property
    def files(self):
        """Uploaded files: MultipartPart objects with file, filename, size."""
        return self._parse()[1]

    def cookie(self, name):
        """The value of cookie *name* or None (a quick scan of the header;
        WebOb's full parse of ``request.cookies`` costs more)."""
        header = self.environ.get("HTTP_COOKIE")
        if not header or name not in header:
            return None
        for part in header.split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name:
                return value.strip('"')
        return None

    @property
    def virtual_root_path(self):
        """``/news`` when this host shows the folder /news as its root, else ""."""
        names = self.environ.get(VIRTUAL_ROOT)
        return "/" + "/".join(quote_name(n) for n in names) if names else ""

    def virtual_root(self):
        """The object this request's address starts from: the site, or the
        folder a virtual host mounts as its root (NotFound if it is gone)."""
        found = self.__dict__.get("_vroot")
        if found is None:
            found = self.site
            for name in self.environ.get(VIRTUAL_ROOT) or ():
                if not IContainer.providedBy(found) or name not in found:
                    raise NotFound("The folder this host shows is missing.")
                found = found[name]
            self._vroot = found
        return found

    @property
    def target(self):
        """Path and query of this request, safe to quote even when malformed."""
        env = self.environ
        path = quote(env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", ""),
                     safe=PATH_SAFE, encoding="latin-1")
        qs = env.get("QUERY_STRING")
        return path + ("?" + qs if qs else "")

    def param(self, name, default=None):
        """A form field, else a query string value, else *default*."""
        value = self.form.get(name) if self.method in BODY_METHODS else None
        if value is None:
            value = self.GET.get(name, default)
        return value
