"""Throttling failed sign-ins with growing delays.

Failures are counted per (account, client address) and per client
address. After ``FREE`` failures, each further attempt must wait
2, 4, 8 … seconds, at most ``MAX_DELAY``; a success clears the account's
count for that address. Because an account is only slowed down for the
addresses that failed on it, an attacker cannot lock the real user out;
a distributed attack on one account is slowed on every address it uses.

The counts live in memory, per process: with several processes each
throttles on its own, which multiplies the allowed rate by the number of
processes but never blocks a user for good.
"""

import threading
import time

FREE = 5
MAX_DELAY = 300
MAX_ENTRIES = 100_000

_lock = threading.Lock()
_failures = {}  # {key: (count, time of last failure)}


def client_address(request):
    return request.environ.get("REMOTE_ADDR") or "unknown"


def _keys(request, login):
    address = client_address(request)
    return (("account", (login or "").lower(), address), ("address", address))


def _delay(count):
    return 0 if count < FREE else min(MAX_DELAY, 2 ** (count - FREE + 1))


def wait_seconds(request, login, now=None):
    """Seconds before another attempt is allowed (0 when allowed now)."""
    now = time.monotonic() if now is None else now
    wait = 0.0
    for key in _keys(request, login):
        count, last = _failures.get(key, (0, 0.0))
        threshold = _delay(count // 4 if key[0] == "address" else count)
        wait = max(wait, last + threshold - now)
    return max(0, int(wait + 0.999))


def throttled(request, login):
    return wait_seconds(request, login) > 0


def record_failure(request, login, now=None):
    now = time.monotonic() if now is None else now
    with _lock:
        if len(_failures) > MAX_ENTRIES:
            _failures.clear()
        for key in _keys(request, login):
            count, _ = _failures.get(key, (0, 0.0))
            _failures[key] = (count + 1, now)


def record_success(request, login):
    with _lock:
        _failures.pop(_keys(request, login)[0], None)


def reset():
    with _lock:
        _failures.clear()
