"""Signing in and out: a form, a signed cookie, a redirect inside the site."""

from urllib.parse import urlsplit

from webob import Response

from cupola.interfaces import ISite
from cupola.security.policy import authenticated_user
from cupola.security.session import COOKIE, MAX_AGE, make_session_cookie
from cupola.security.users import authenticate


def safe_came_from(request, value):
    """*value* if it is a path or URL inside this site, else the site root."""
    root = request.application_url
    if not value:
        return root + "/"
    parts = urlsplit(value)
    if value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and not parts.scheme and not parts.netloc:
        return root + value
    if value.startswith(root + "/") or value == root:
        return value
    return root + "/"


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
        login = (form.get("login") or "").strip()
        came_from = form.get("came_from", "")
        user = authenticate(request.site, login, form.get("password", ""))
        if user is None:
            values = {"came_from": came_from, "login": login, "already": None,
                      "error": "That login and password do not match."}
            from cupola.rendering import render_template
            body = render_template(request, "login.pt", values, self)
            return Response(body=body.encode("utf-8"), status=200,
                            content_type="text/html", charset="utf-8")
        response = Response(status=303, location=safe_came_from(request, came_from))
        response.set_cookie(COOKIE, make_session_cookie(request.site.settings["secret"], user),
                            max_age=MAX_AGE, httponly=True, samesite="Lax",
                            path="/", secure=request.scheme == "https")
        return response


class LogoutView(LoginView):
    def get(self):
        return {"user": authenticated_user(self.request)}

    def post(self):
        response = Response(status=303,
                            location=self.request.application_url + "/@@logged-out")
        response.delete_cookie(COOKIE, path="/")
        return response


def logged_out(context, request):
    return {}


def includeme(config):
    add = config.add_view
    add(LoginView, "login", context=ISite, permission="cupola.Public",
        template="login.pt", attr="get")
    add(LoginView, "login", context=ISite, permission="cupola.Public",
        attr="post", request_method="POST")
    add(LogoutView, "logout", context=ISite, permission="cupola.Public",
        template="logout.pt", attr="get")
    add(LogoutView, "logout", context=ISite, permission="cupola.Public",
        attr="post", request_method="POST")
    add(logged_out, "logged-out", context=ISite, permission="cupola.Public",
        template="logged_out.pt")
