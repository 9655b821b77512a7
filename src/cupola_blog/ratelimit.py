"""A limit on comments per client address: at most N in a sliding window.

Like the core's sign-in throttle (``cupola.security.throttle``) the
counts live in memory, per process and per application: with several
processes each counts on its own, which multiplies the allowed rate by
their number but never blocks anyone for good. The address is the one
the core uses (``REMOTE_ADDR``, set from proxy headers by the proxy
middleware when it is configured).

Settings (``[app:main]``): ``cupola_blog.comment_limit`` comments per
``cupola_blog.comment_window`` seconds (default 5 per 600).
"""

import threading
import time
from collections import deque

from cupola.security.throttle import client_address

LIMIT, WINDOW = 5, 600
MAX_ADDRESSES = 100_000


class CommentLimiter:
    """Times of the recent comments of each address."""

    def __init__(self, limit=LIMIT, window=WINDOW):
        self.limit, self.window = max(1, int(limit)), max(1, int(window))
        self._lock = threading.Lock()
        self._seen = {}  # {address: deque of monotonic times, oldest first}

    def _recent(self, address, now):
        times = self._seen.get(address)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait_seconds(self, address, now=None):
        """Seconds before *address* may comment again (0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(address, now)
            if not times or len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - now + 0.999))

    def record(self, address, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) > MAX_ADDRESSES:
                self._seen.clear()
            times = self._recent(address, now)
            if times is None:
                times = self._seen[address] = deque()
            times.append(now)

    def reset(self):
        with self._lock:
            self._seen.clear()


def limiter_for(registry):
    """The application's CommentLimiter, made from its settings on first use."""
    found = registry.__dict__.get("cupola_blog_limiter")
    if found is None:
        settings = getattr(registry, "settings", None) or {}
        found = CommentLimiter(_number(settings, "cupola_blog.comment_limit", LIMIT),
                               _number(settings, "cupola_blog.comment_window", WINDOW))
        registry.__dict__["cupola_blog_limiter"] = found
    return found


def _number(settings, name, default):
    try:
        return int(settings.get(name, default))
    except (TypeError, ValueError):
        return default


__all__ = ["CommentLimiter", "limiter_for", "client_address"]
