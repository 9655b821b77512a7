"""Signed session cookies and CSRF tokens bound to them (itsdangerous)."""

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "cupola_session"
CSRF_COOKIE = "cupola_csrf"
MAX_AGE = 14 * 24 * 3600


def _serializer(secret):
    return URLSafeTimedSerializer(secret, salt="cupola.session")


def make_session_cookie(secret, user):
    return _serializer(secret).dumps([user.login, user.session_version])


def read_session_cookie(secret, value):
    """(login, session_version) from a cookie value, or None."""
    if not value:
        return None
    try:
        login, version = _serializer(secret).loads(value, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return login, version


def csrf_token(request):
    """The request's CSRF token; a new one is set as a cookie if missing."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) != 43:
        token = request.environ.get("cupola.new_csrf")
        if token is None:
            token = request.environ["cupola.new_csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request, submitted):
    expected = request.cookies.get(CSRF_COOKIE)
    return bool(expected and submitted
                and hmac.compare_digest(expected, str(submitted)))
