"""Signed session cookies and CSRF tokens bound to the session (itsdangerous).

The session cookie holds (login, session version, session id), signed with
the site's secret: any app process can check it. Signing out and changing
the password bump the user's session version, which revokes every cookie
issued before. The CSRF token of a form is an HMAC of a random per-browser
cookie and the signed-in login, so it is useless in another browser or
after the user changes.
"""

import hashlib
import hmac
import secrets
import time
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "cupola_session"
CSRF_COOKIE = "cupola_csrf"
MAX_AGE = 14 * 24 * 3600


@lru_cache(maxsize=16)
def _serializer(secret):
    return URLSafeTimedSerializer(secret, salt="cupola.session")


# Checking a signature costs ~50 µs; a browser sends the same cookie with
# every request, so verified cookies are remembered (with their expiry).
_verified = {}  # {(secret, value): (login, version, expires at)}
_VERIFIED_MAX = 50_000


def make_session_cookie(secret, user):
    """A new cookie value for *user*, with a fresh session id."""
    return _serializer(secret).dumps(
        [user.login, user.session_version, secrets.token_urlsafe(9)])


def read_session_cookie(secret, value):
    """(login, session_version) from a cookie value, or None."""
    if not value:
        return None
    now = time.time()
    known = _verified.get((secret, value))
    if known is not None:
        return known[:2] if known[2] > now else None
    try:
        data, signed_at = _serializer(secret).loads(
            value, max_age=MAX_AGE, return_timestamp=True)
        login, version = data[0], data[1]
    except (BadSignature, ValueError, TypeError, IndexError, KeyError):
        return None
    if not isinstance(login, str) or not isinstance(version, int):
        return None
    if len(_verified) > _VERIFIED_MAX:
        _verified.clear()
    _verified[(secret, value)] = (login, version, signed_at.timestamp() + MAX_AGE)
    return login, version


def _browser_secret(request):
    """The random per-browser value in the CSRF cookie (made when missing)."""
    value = request.cookies.get(CSRF_COOKIE)
    if not value or len(value) != 43:
        value = request.environ.get("cupola.new_csrf")
        if value is None:
            value = request.environ["cupola.new_csrf"] = secrets.token_urlsafe(32)
    return value


def _token_for(request, browser_value, login):
    key = request.site.settings["secret"].encode()
    msg = f"{browser_value}:{login or ''}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def csrf_token(request):
    """The token to put in this request's forms (hidden field ``_csrf``)."""
    from cupola.security.auth import authenticated_user
    user = authenticated_user(request)
    return _token_for(request, _browser_secret(request),
                      user.login if user is not None else None)


def check_csrf(request, submitted):
    """Whether *submitted* is the token of this browser and user."""
    from cupola.security.auth import authenticated_user
    browser_value = request.cookies.get(CSRF_COOKIE)
    if not browser_value or not submitted:
        return False
    user = authenticated_user(request)
    expected = _token_for(request, browser_value,
                          user.login if user is not None else None)
    return hmac.compare_digest(expected, str(submitted))
