"""Users stored in the site, with Argon2id password hashes."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from persistent import Persistent

_hasher = PasswordHasher()  # Argon2id with the library's current defaults
_DUMMY = _hasher.hash("cupola-timing-equaliser")


class User(Persistent):
    """A person who can sign in."""

    enabled = True
    session_version = 0  # bumped to sign the user out everywhere

    def __init__(self, login, password, roles=(), fullname="", email=""):
        self.login = login
        self.fullname = fullname or login
        self.email = email
        self.roles = tuple(roles)
        self.set_password(password)

    def set_password(self, password):
        self.password_hash = _hasher.hash(password)
        self.session_version += 1

    def check_password(self, password):
        try:
            ok = _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and _hasher.check_needs_rehash(self.password_hash):
            self.password_hash = _hasher.hash(password)
        return ok


def add_user(site, login, password, roles=(), fullname="", email=""):
    if login in site.users:
        raise ValueError(f"user {login!r} exists")
    user = site.users[login] = User(login, password, roles, fullname, email)
    return user


def authenticate(site, login, password):
    """The enabled User with this login and password, else None."""
    user = site.users.get(login) if login else None
    if user is None:
        try:  # same cost as a real check, so timing tells nothing
            _hasher.verify(_DUMMY, password or "")
        except VerificationError:
            pass
        return None
    if not user.enabled or not user.check_password(password or ""):
        return None
    return user
