"""The comment limiter: N per sliding window per address."""

from types import SimpleNamespace

from cupola_blog.ratelimit import CommentLimiter, limiter_for


def test_allows_the_limit_then_asks_to_wait():
    limiter = CommentLimiter(limit=3, window=60)
    for t in (0, 10, 20):
        assert limiter.wait_seconds("a", now=t) == 0
        limiter.record("a", now=t)
    assert limiter.wait_seconds("a", now=30) == 30   # the first one leaves at 60
    assert limiter.wait_seconds("b", now=30) == 0    # per address


def test_the_window_slides():
    limiter = CommentLimiter(limit=2, window=60)
    limiter.record("a", now=0)
    limiter.record("a", now=50)
    assert limiter.wait_seconds("a", now=59.5) == 1
    assert limiter.wait_seconds("a", now=60) == 0
    limiter.record("a", now=60)
    assert limiter.wait_seconds("a", now=70) == 40


def test_reset_forgets():
    limiter = CommentLimiter(limit=1, window=60)
    limiter.record("a", now=0)
    limiter.reset()
    assert limiter.wait_seconds("a", now=1) == 0


def test_one_limiter_per_registry_from_its_settings():
    registry = SimpleNamespace(settings={"cupola_blog.comment_limit": "7",
                                         "cupola_blog.comment_window": "bad"})
    limiter = limiter_for(registry)
    assert (limiter.limit, limiter.window) == (7, 600)
    assert limiter_for(registry) is limiter
    assert limiter_for(SimpleNamespace(settings={})) is not limiter
