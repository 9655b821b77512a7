"""Who is asking: authentication plug-ins tried in order.

1. the signed session cookie set by ``/@@login``;
2. HTTP Basic, for scripts (not for browsers, unless ``basic_auth = always``);
3. per-user API tokens: ``Authorization: Bearer cpl_<id>_<secret>``.

The result is cached on the request; ``request.environ["cupola.auth"]``
names the plug-in that recognised the user.
"""

import base64
import binascii

from cupola.security.session import COOKIE, read_session_cookie
from cupola.security.tokens import find_token_user
from cupola.security.users import authenticate

BROWSER_HINTS = ("HTTP_SEC_FETCH_MODE", "HTTP_SEC_FETCH_SITE")


def authenticated_user(request):
    """The signed-in, enabled User of *request*, or None."""
    env = request.environ
    try:
        return env["cupola.user"]
    except KeyError:
        pass
    user, method = None, None
    for method, plugin in PLUGINS:
        user = plugin(request)
        if user is not None:
            break
    env["cupola.user"] = user
    env["cupola.auth"] = method if user is not None else None
    return user


def from_session(request):
    value = request.cookie(COOKIE)
    if not value:
        return None
    site = request.site
    found = read_session_cookie(site.settings["secret"], value)
    if found is None:
        return None
    user = site.users.get(found[0])
    if user is None or not user.enabled or user.session_version != found[1]:
        return None
    return user


def _authorization(request, scheme):
    header = request.environ.get("HTTP_AUTHORIZATION", "")
    prefix, _, value = header.partition(" ")
    return value.strip() if prefix.lower() == scheme else None


def basic_allowed(request):
    mode = request.registry.settings.get("basic_auth", "scripts")
    if mode == "always":
        return True
    if mode == "never":
        return False
    return not any(h in request.environ for h in BROWSER_HINTS)


def from_basic(request):
    value = _authorization(request, "basic")
    if not value or not basic_allowed(request):
        return None
    try:
        login, _, password = base64.b64decode(value, validate=True) \
            .decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    from cupola.security.throttle import throttled
    if throttled(request, login):
        return None
    return authenticate(request.site, login, password)


def from_token(request):
    value = _authorization(request, "bearer")
    if not value:
        return None
    return find_token_user(request.site, value)


PLUGINS = [("session", from_session), ("basic", from_basic), ("token", from_token)]


def csrf_exempt(request):
    """Basic and token requests carry credentials themselves: no CSRF risk."""
    authenticated_user(request)
    return request.environ.get("cupola.auth") in ("basic", "token")
