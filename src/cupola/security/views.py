"""Signing in and out: a form, a signed cookie, a redirect inside the site."""

from urllib.parse import urlsplit

from webob import Response

from cupola.interfaces import ISite
from cupola.rendering import render_template
from cupola.security.audit import audit
from cupola.security.auth import authenticated_user
from cupola.security.policy import forget
from cupola.security.session import COOKIE, MAX_AGE, make_session_cookie
from cupola.security.throttle import (record_failure, record_success,
                                      wait_seconds)
from cupola.security.users import authenticate


def safe_came_from(request, value):
    """*value* if it is a path or URL inside this site, else the site root."""
    root = request.application_url
    if not value or any(c in value for c in "\\\r\n\t\x00"):
        return root + "/"
    parts = urlsplit(value)
    if value.startswith("/") and not value.startswith("//") \
            and not parts.scheme and not parts.netloc:
        # a path as the client sees it: it holds the site's prefix, if any
        prefix = request.script_name
        if prefix and value != prefix and not value.startswith(prefix + "/"):
            return root + "/"
        return request.host_url + value
    if value.startswith(root + "/") or value == root:
        return value
    return root + "/"


def _page(request, view, template, values, status=200):
    body = render_template(request, template, values, view)
    return Response(body=body.encode("utf-8"), status=status,
                    content_type="text/html", charset="utf-8")


class LoginView:
    def __init__(self, context, request):
        self.context, self.request = context, request

    def get(self):
        request = self.request
        return {"came_from": request.GET.get("came_from", ""), "error": None,
                "login": "", "already": authenticated_user(request)}

    def post(self):
        request = self.request
        form = request.form
        login = (form.get("login") or "").strip()[:200]
        came_from = form.get("came_from", "")
        values = {"came_from": came_from, "login": login, "already": None}
        wait = wait_seconds(request, login)
        if wait:
            audit(request, "login.throttled", actor=login or None)
            response = _page(request, self, "login.pt", dict(
                values, error=f"Too many failed attempts. Try again in {wait} seconds."),
                status=429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = authenticate(request.site, login, form.get("password", ""))
        if user is None:
            record_failure(request, login)
            audit(request, "login.failure", actor=login or None)
            return _page(request, self, "login.pt", dict(
                values, error="That login and password do not match."))
        record_success(request, login)
        audit(request, "login.success", actor=user.login)
        response = Response(status=303, location=safe_came_from(request, came_from))
        response.set_cookie(COOKIE, make_session_cookie(request.site.settings["secret"], user),
                            max_age=MAX_AGE, httponly=True, samesite="Lax",
                            path="/", secure=request.scheme == "https")
        forget(request)
        return response


class LogoutView(LoginView):
    def get(self):
        return {"user": authenticated_user(self.request)}

    def post(self):
        request = self.request
        user = authenticated_user(request)
        if user is not None:
            user.revoke_sessions()  # this cookie, copied anywhere, is dead
            audit(request, "logout", actor=user.login)
        response = Response(status=303,
                            location=request.application_url + "/@@logged-out")
        response.delete_cookie(COOKIE, path="/")
        return response


def logged_out(context, request):
    return {}


def includeme(config):
    add = config.add_view
    add(LoginView, "login", context=ISite, permission="cupola.Public",
        template="login.pt", attr="get")
    add(LoginView, "login", context=ISite, permission="cupola.Public",
        attr="post", request_method="POST", upgrade_safe=True)
    add(LogoutView, "logout", context=ISite, permission="cupola.Public",
        template="logout.pt", attr="get")
    add(LogoutView, "logout", context=ISite, permission="cupola.Public",
        attr="post", request_method="POST", upgrade_safe=True)
    add(logged_out, "logged-out", context=ISite, permission="cupola.Public",
        template="logged_out.pt")
