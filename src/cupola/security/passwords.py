"""Password hashing (Argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP (2024) minimum for Argon2id is m=19 MiB, t=2, p=1; we use more.
TIME_COST = 3
MEMORY_COST = 64 * 1024  # KiB
PARALLELISM = 2

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST,
                         parallelism=PARALLELISM)
_DUMMY = None

MIN_LENGTH = 10
MAX_LENGTH = 1024
COMMON = frozenset("""password password1 password123 1234567890 12345678910
qwertyuiop qwerty1234 iloveyou123 letmein123 administrator changeme123
welcome123 passw0rd123 abc1234567 0987654321 1111111111 aaaaaaaaaa""".split())


def configure_hasher(time_cost, memory_cost, parallelism):
    """Change the parameters (tests use cheap ones); old hashes rehash on login."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _DUMMY = None


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """(ok, new_hash): new_hash is set when the parameters changed."""
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(password_hash):
        return True, _hasher.hash(password)
    return True, None


def waste_time(password):
    """Cost of a real check, so a missing account cannot be told by timing."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher.hash("cupola-timing-equaliser")
    verify_password(_DUMMY, password or "")


def password_problems(password, login="", fullname=""):
    """Plain-language reasons *password* is refused; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) < 4:
        problems.append("This password is too easy to guess.")
    if login and login.lower() in lowered:
        problems.append("The password may not contain the login.")
    if fullname and len(fullname) > 3 and fullname.lower() in lowered:
        problems.append("The password may not contain your name.")
    return problems
