"""The WSGI application: one request, one connection, one transaction.

The pipeline: buffer the body, open a connection, traverse, find the view,
check the permission and the CSRF token, answer a conditional GET early,
call the view, render its template, commit. A ``ConflictError`` replays the
whole request (at most ``retries`` times, with jitter); an error whose
commit outcome is unknown is never replayed and answers 503; any other
error aborts and renders the exception view in the site's look.
"""

import errno
import hashlib
import json
import logging
import os
import random
from email.utils import formatdate
import threading
import time
from urllib.parse import quote

import transaction
from webob import Response
from ZODB.POSException import ConflictError, StorageError
from zope.interface import alsoProvides

from cupola.addons.sites import site_state
from cupola.db.bootstrap import get_site
from cupola.db.listeners import TransactionListener
from cupola.exceptions import (BadRequest, CommitOutcomeUnknown, DiskFull, Forbidden,
                               HTTPError, MethodNotAllowed, NotFound,
                               ServiceUnavailable, UpgradeNeeded, URITooLong)
from cupola.registry import (pop_active_addons, pop_registry,
                             push_active_addons, push_registry)
from cupola.rendering import render_template
from cupola.request import Request, scope_cookies
from cupola.responsecache import CACHEABLE, UNTIL, ResponseCache, answer
from cupola.security.auth import authenticated_user, csrf_exempt
from cupola.security.policy import has_permission
from cupola.security.session import CSRF_COOKIE, check_csrf
from cupola.traversal import split_path, traverse

log = logging.getLogger("cupola.publisher")

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_URL = 8192


def _disconnect_errors():
    errors = [StorageError, OSError]
    try:
        from ZEO.Exceptions import ClientDisconnected
        errors.insert(0, ClientDisconnected)
    except ImportError:
        pass
    try:  # RelStorage on PostgreSQL: the server went away or restarted
        import psycopg2
        errors[:0] = [psycopg2.OperationalError, psycopg2.InterfaceError]
    except ImportError:
        pass
    return tuple(errors)


DISCONNECTED = _disconnect_errors()


class Application:
    """Cupola's WSGI application for one database and one registry."""

    def __init__(self, registry, db, settings=None):
        self.registry = registry
        self.db = db
        self.settings = settings = dict(settings or registry.settings)
        self.debug = _as_bool(settings.get("debug"))
        self.retries = int(settings.get("retries", 3))
        self.max_body = int(settings.get("max_request_body", 256 << 20))
        self.layers = tuple(settings.get("request_layers", ()))
        self.security_headers = security_headers(settings)
        self.response_cache = None
        if _as_bool(os.environ.get("CUPOLA_RESPONSE_CACHE",
                                   settings.get("response_cache", "true"))):
            self.response_cache = ResponseCache(
                int(settings.get("response_cache_entries", 2000)),
                int(settings.get("response_cache_mb", 64)) << 20)
        self._local = threading.local()
        # several processes on one database: ask its server (cupola.db.freshness)
        self._last_tid = getattr(db.storage, "cupola_last_tid", None) or db.lastTransaction
        registry.application = self

    def _open(self):
        """This thread's connection, kept open between requests.

        Each server thread keeps one connection (and its object cache) for
        its life; every request begins a new transaction on it, which
        brings in the invalidations other processes and threads committed.
        """
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or conn.opened is None:
            tm = transaction.TransactionManager()
            conn = local.conn = self.db.open(transaction_manager=tm)
        else:
            conn.transaction_manager.begin()
        return conn

    def _fresh_tid(self):
        """The newest tid the database server knows, else what this process knows."""
        try:
            return self._last_tid()
        except DISCONNECTED:  # the server is away
            try:
                return self.db.lastTransaction()
            except DISCONNECTED:
                return b"\0" * 8  # the request will answer 503 when it opens

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.transaction_manager.abort()
                conn.close()
            except Exception:  # a broken connection: let it go
                log.debug("closing a broken connection failed", exc_info=True)

    # -- WSGI --

    def __call__(self, environ, start_response):
        cache, key = self.response_cache, None
        if cache is not None:
            try:
                tid = environ["cupola.tid"] = self._last_tid()
            except DISCONNECTED:  # no cache without the server's word
                environ["cupola.tid"] = self._fresh_tid()
            else:
                key = cache.key(environ, tid)
            if key is not None:
                hit = cache.get(key)
                if hit is not None:
                    return answer(hit, environ, start_response, self.security_headers)
        request = Request(environ)
        request.registry = self.registry
        if self.layers:
            alsoProvides(request, *self.layers)
        response = self.handle(request)
        headerlist = response.headerlist
        present = {name.lower() for name, _ in headerlist}
        headerlist.extend(h for h in self.security_headers
                          if h[0].lower() not in present)
        for name in environ.get("cupola.delete_cookies", ()):
            response.delete_cookie(name, path="/")
        new_csrf = environ.get("cupola.new_csrf")
        if new_csrf:
            response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True,
                                samesite="Lax", path="/",
                                secure=request.scheme == "https")
        if environ.get("SCRIPT_NAME"):  # the site lives below a path prefix
            scope_cookies(response.headerlist, environ["SCRIPT_NAME"])
        if (key is not None and environ.get(CACHEABLE)
                and response.status_code == 200 and "Set-Cookie" not in response.headers):
            cache.put(key, response, environ.get(UNTIL))
        return response(environ, start_response)

    def handle(self, request):
        try:
            segments = self._segments(request)
            request.buffer_body(self.max_body)
        except HTTPError as e:
            return self.with_connection(request, lambda: self.error_response(request, e))
        attempt = 0
        while True:
            try:
                return self.with_connection(
                    request, lambda: self.publish(request, segments))
            except ConflictError as e:
                attempt += 1
                request.rewind()
                request.environ["cupola.conflicts"] = attempt  # for metrics
                if attempt > self.retries:
                    log.warning("giving up after %d conflicts: %s", attempt,
                                request.path_info)
                    message = ("The database cannot be reached; nothing was saved. "
                               "Please try again." if isinstance(e, LostBeforeFinish)
                               else "The site is busy with other changes; please try again.")
                    return self.with_connection(request, lambda: self.error_response(
                        request, ServiceUnavailable(message, {"Retry-After": "1"})))
                time.sleep(random.uniform(0, 0.02 * 2 ** attempt))

    def _segments(self, request):
        env = request.environ
        raw = env.get("PATH_INFO", "")
        if len(raw) + len(env.get("QUERY_STRING", "")) > MAX_URL:
            raise URITooLong()
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise BadRequest("The address is not valid UTF-8.") from None
        if "\x00" in path:
            raise BadRequest("The address contains a null character.")
        return split_path(path)

    def with_connection(self, request, work):
        """Run *work* in a fresh connection and transaction; commit or abort.

        Raises ConflictError for the caller to replay; maps everything else
        to a response.
        """
        push_registry(self.registry)
        try:
            # read before opening: the connection's snapshot is at least this
            # new, so caches keyed by it never hold older data than the key
            request.tid = request.environ.pop("cupola.tid", None) or self._fresh_tid()
            conn = self._open()
        except DISCONNECTED as e:
            pop_registry()
            self._drop_connection()
            log.warning("database unavailable: %s", e)
            return self.bare_error(ServiceUnavailable(), request)
        tm = conn.transaction_manager
        healthy = scoped = False
        try:
            request.conn = conn
            try:
                request.site = get_site(conn)
            except KeyError:
                tm.abort()
                return self.bare_error(ServiceUnavailable(
                    "This database holds no site yet: run `cupola init`."), request)
            # the add-ons active in this site: their layers mark the request
            state = request.addons = site_state(self.registry, request.site)
            state.mark(request)
            push_active_addons(state.active)
            scoped = True
            try:
                response = work()
            except ConflictError:
                tm.abort()
                healthy = True
                raise
            except DISCONNECTED as e:
                _abort_quietly(tm)
                if _disk_full(e):
                    log.error("disk full, nothing saved: %s", e)
                    healthy = True
                    return self.bare_error(DiskFull(), request)
                log.warning("database connection lost: %s", e)
                return self.bare_error(ServiceUnavailable(), request)
            except Exception as e:
                tm.abort()
                response = self.error_response(request, e)
                healthy = True
                return response
            healthy = True  # unless finish says otherwise (or raises a conflict)
            response = self.finish(request, tm, response)
            healthy = not getattr(response, "cupola_unhealthy", False)
            return response
        finally:
            request.conn = None
            if scoped:
                pop_active_addons()
            if healthy:
                conn.cacheGC()
            else:
                self._drop_connection()
            pop_registry()

    def finish(self, request, tm, response):
        txn = tm.get()
        if (txn.isDoomed() or response.status_code >= 400
                or not getattr(txn, "_resources", True)):
            tm.abort()  # nothing to write (the common GET), or must not
            return response
        describe_transaction(request, txn)
        votes = _VoteMarker()
        txn.join(votes)  # tells a failure before the second phase from one in it
        try:
            tm.commit()
        except ConflictError:
            tm.abort()
            raise
        except DISCONNECTED as e:
            _abort_quietly(tm)
            if _disk_full(e):  # the storage refused the data: nothing was saved
                log.error("disk full, nothing saved for %s %s: %s", request.method,
                          request.path_info, e)
                return self.bare_error(DiskFull(), request)
            if not votes.voted:  # failed before the second phase: nothing saved
                log.warning("connection lost before the commit's second phase for "
                            "%s %s (%s); replaying", request.method,
                            request.path_info, e)
                time.sleep(RECONNECT_WAIT)
                raise LostBeforeFinish(str(e)) from e
            log.error("commit outcome unknown for %s %s: %s", request.method,
                      request.path_info, e)
            return _unhealthy(self.bare_error(CommitOutcomeUnknown(), request))
        except Exception as e:
            _abort_quietly(tm)
            return self.error_response(request, e)
        return response

    # -- publishing --

    def publish(self, request, segments):
        registry = self.registry
        root = request.virtual_root()
        found = traverse(root, segments, registry)
        context = request.context = found.context
        request.subpath = found.subpath
        name = found.view_name
        if found.namespace is not None:
            name = f"++{found.namespace}++"
            request.subpath = (found.view_name,) + found.subpath
        if not name:
            info = registry.types.get(getattr(context, "type_name", None))
            name = info.default_view if info is not None else "view"
        request.view_name = name
        view = registry.query_view(context, request, name)
        if view is None and context is root and root is not request.site:
            # a folder mounted as a host's root: site-wide views answer there
            view = registry.query_view(request.site, request, name)
            if view is not None:
                context = request.context = request.site
        if view is None:
            raise NotFound(f"no view {name!r}")
        if found.subpath and not getattr(view, "accepts_subpath", False) \
                and found.namespace is None:
            raise NotFound("unknown path below a view")
        method = request.method
        entry = view.methods.get(method)
        if entry is None:
            if method == "OPTIONS":
                return Response(status=204, headers={"Allow": ", ".join(view.allowed)})
            raise MethodNotAllowed(view.allowed)
        if not has_permission(entry.permission, context, request):
            return self.deny(request)
        if method not in SAFE and entry.csrf and not csrf_exempt(request) and not check_csrf(
                request, request.form.get("_csrf") or request.headers.get("X-CSRF-Token")):
            raise Forbidden("The form has expired or did not come from this "
                            "site. Reload the page and try again.")
        if method not in SAFE and request.addons.core_behind and not entry.upgrade_safe:
            state = request.addons
            raise UpgradeNeeded(
                f"The site's data is at version {state.core_installed}; the "
                f"installed Cupola needs version {state.core_target}. Run "
                "`cupola upgrade` (or Upgrade on the site's Add-ons screen) "
                "before making changes.", {"Retry-After": "60"})
        etag = None
        if entry.conditional and method in ("GET", "HEAD"):
            etag = self.etag(request, context, name)
            if authenticated_user(request) is None:
                request.environ[CACHEABLE] = True
            inm = request.if_none_match
            if (etag in inm or f"{etag}-gz" in inm) and \
                    "cupola_messages" not in request.environ.get("HTTP_COOKIE", ""):
                return Response(status=304, headers={"ETag": f'"{etag}"'})
        response = self.call_view(request, context, entry)
        if etag is not None and "cupola_messages" in request.environ.get("HTTP_COOKIE", ""):
            # this page shows status messages once: never revalidate it to a 304
            response.headerlist.append(("Cache-Control", "no-store"))
            etag = None
        if etag is not None and response.status_code == 200:
            headers = response.headerlist
            headers.append(("ETag", f'"{etag}"'))
            headers.append(("Cache-Control", "no-cache"))
            mtime = getattr(context, "_p_mtime", None)
            if mtime:
                headers.append(("Last-Modified", formatdate(mtime, usegmt=True)))
        return response

    def call_view(self, request, context, entry):
        view = entry.view
        if isinstance(view, type):
            inst = view(context, request)
            result = getattr(inst, entry.attr or "__call__")()
        else:
            inst, result = None, view(context, request)
        if isinstance(result, Response):
            return result
        if isinstance(result, dict):
            if entry.template is None:
                raise TypeError(f"view {entry.origin} returned a dict but "
                                "has no template")
            body = render_template(request, entry.template, result, inst)
            return Response(body=body.encode("utf-8"),
                            content_type="text/html", charset="utf-8")
        if isinstance(result, str):
            return Response(body=result.encode("utf-8"),
                            content_type="text/html", charset="utf-8")
        raise TypeError(f"view {entry.origin} returned {type(result).__name__}")

    def etag(self, request, context, name):
        """Changes with any committed transaction, the view, the user, and
        whenever content passes its publication or expiry date."""
        tid = request.tid.hex()
        user = authenticated_user(request)
        who = "anon" if user is None else hashlib.blake2s(
            user.login.encode(), digest_size=6).hexdigest()
        serial = getattr(context, "_p_serial", b"").hex()
        catalog = getattr(request.site, "catalog", None)
        boundary = catalog.last_boundary(int(time.time())) if catalog is not None else 0
        return f"{serial}-{tid}-{name}-{who}-{boundary:x}"

    def deny(self, request):
        if authenticated_user(request) is None:
            target = quote(request.target, safe="")
            login = f"{request.application_url}/@@login?came_from={target}"
            return Response(status=303, location=login)
        raise Forbidden()

    # -- errors --

    def error_response(self, request, exc):
        """The exception view's page for *exc*; never a traceback unless debug."""
        if not isinstance(exc, HTTPError):
            log.exception("error while publishing %s %s", request.method,
                          request.path_info, exc_info=exc)
        info = self.registry.query_exception_view(exc, request)
        try:
            if info is None or request.site is None:
                return self.bare_error(exc)
            request.exception = exc
            return self.call_view(request, exc, info.methods["*"])
        except Exception:
            log.exception("the error page itself failed")
            return self.bare_error(exc)

    def bare_error(self, exc, request=None):
        """A minimal page for when even the site's look cannot be rendered.

        JSON instead for ``@@health`` (load balancers read its reason) and
        for clients that ask for JSON.
        """
        http = exc if isinstance(exc, HTTPError) else HTTPError()
        if request is not None and _wants_json(request):
            body = {"status": "unavailable" if http.status == 503 else "error",
                    "error": http.title, "reason": http.detail or http.explanation}
            response = Response(body=json.dumps(body).encode(), status=http.status,
                                content_type="application/json", charset="utf-8")
            response.headers.update(http.headers)
            response.headers["Cache-Control"] = "no-store, max-age=0"
            return response
        body = (f"<!doctype html><meta charset=utf-8><title>{http.title}</title>"
                f"<h1>{http.title}</h1><p>{http.explanation}</p>")
        response = Response(body=body.encode(), status=http.status,
                            content_type="text/html", charset="utf-8")
        response.headers.update(http.headers)
        return response


def describe_transaction(request, txn):
    """For the undo log: who (the signed-in login) and, when nothing else
    noted what the transaction did, the request's method and path."""
    user = authenticated_user(request)
    if user is not None and not txn.user:
        txn.user = user.login
    if not txn.description:
        txn.note(f"{request.method} {request.path_info}")


def _wants_json(request):
    path = request.environ.get("PATH_INFO", "")
    if path.rstrip("/").endswith("@@health"):
        return True
    accept = request.environ.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def _unhealthy(response):
    """Mark *response*: the thread's connection is dropped after it."""
    response.cupola_unhealthy = True
    return response


def _disk_full(error):
    full = (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, OSError):
        return error.errno in full
    # a ZEO server's OSError reaches its client as ServerException(class name, args)
    args = getattr(error, "args", ())
    return (type(error).__name__ == "ServerException" and len(args) == 2
            and str(args[0]).endswith("OSError") and isinstance(args[1], tuple)
            and args[1][:1] in ((full[0],), (full[1],)))


RECONNECT_WAIT = 0.5  # seconds a replay after a lost connection waits first


class LostBeforeFinish(ConflictError):
    """The database connection failed before the commit's second phase:
    nothing was stored, so the request is replayed like a conflict."""


class _VoteMarker(TransactionListener):
    """A data manager that votes last (its sort key sorts after the
    storages'): once its vote has run, every vote has passed, so an error
    after that comes from the second phase, whose outcome is unknown."""

    voted = False
    sort_key = "~~~cupola-vote-marker"

    def tpc_vote(self, txn):
        self.voted = True


def _abort_quietly(tm):
    try:
        tm.abort()
    except Exception:  # the storage is gone; nothing more to undo here
        log.exception("abort failed")


def _as_bool(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def security_headers(settings):
    csp = settings.get("content_security_policy") or (
        "default-src 'self'; img-src 'self' data: https:; "
        "style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
    return (
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )
