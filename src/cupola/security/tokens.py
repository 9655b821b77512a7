"""Per-user API tokens: shown once, stored as SHA-256 hashes."""

import hashlib
import hmac
import secrets
from datetime import datetime, timezone

from BTrees.OOBTree import OOBTree
from persistent import Persistent

PREFIX = "cpl_"


class ApiToken(Persistent):
    def __init__(self, token_id, login, title, digest):
        self.id = token_id
        self.login = login
        self.title = title
        self.digest = digest
        self.created = datetime.now(timezone.utc)
        self.last_used = None


def _index(site):
    index = getattr(site, "api_tokens", None)
    if index is None:
        index = site.api_tokens = OOBTree()
    return index


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(site, user, title):
    """Make a token for *user*; return (ApiToken, the full token string)."""
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(30)
    token = ApiToken(token_id, user.login, title.strip() or "API token", _digest(secret))
    _index(site)[token_id] = token
    return token, f"{PREFIX}{token_id}_{secret}"


def user_tokens(site, login):
    return [t for t in _index(site).values() if t.login == login]


def revoke_token(site, token_id, login=None):
    index = _index(site)
    token = index.get(token_id)
    if token is None or (login is not None and token.login != login):
        raise KeyError(token_id)
    del index[token_id]


def find_token_user(site, value):
    """The User owning the token string *value*, or None."""
    if not value.startswith(PREFIX):
        return None
    token_id, sep, secret = value[len(PREFIX):].partition("_")
    if not sep:
        return None
    token = _index(site).get(token_id)
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    user = site.users.get(token.login)
    if user is None or not user.enabled:
        return None
    return user
