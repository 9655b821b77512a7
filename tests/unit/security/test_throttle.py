"""Failed sign-ins slow down the attacker's address, not the real user."""

from cupola.security import throttle as t


class FakeRequest:
    def __init__(self, address):
        self.environ = {"REMOTE_ADDR": address}


def test_first_failures_are_free():
    attacker = FakeRequest("10.0.0.1")
    for _ in range(t.FREE - 1):
        t.record_failure(attacker, "ann", now=100)
    assert t.wait_seconds(attacker, "ann", now=100) == 0


def test_delays_grow_and_are_capped():
    attacker = FakeRequest("10.0.0.1")
    waits = []
    for _ in range(t.FREE + 12):
        t.record_failure(attacker, "ann", now=100)
        waits.append(t.wait_seconds(attacker, "ann", now=100))
    assert waits[t.FREE - 1] == 2 and waits[t.FREE] == 4
    assert max(waits) == t.MAX_DELAY


def test_real_user_elsewhere_is_not_locked_out():
    attacker, owner = FakeRequest("10.0.0.1"), FakeRequest("192.168.1.9")
    for _ in range(30):
        t.record_failure(attacker, "ann", now=100)
    assert t.wait_seconds(attacker, "ann", now=100) > 0
    assert t.wait_seconds(owner, "ann", now=100) == 0


def test_delay_passes_with_time():
    attacker = FakeRequest("10.0.0.1")
    for _ in range(t.FREE + 2):
        t.record_failure(attacker, "ann", now=100)
    assert t.wait_seconds(attacker, "ann", now=100 + t.MAX_DELAY + 1) == 0


def test_success_clears_the_account_count():
    user = FakeRequest("10.0.0.2")
    for _ in range(t.FREE + 1):
        t.record_failure(user, "ann", now=100)
    t.record_success(user, "ann")
    assert t.wait_seconds(user, "ann", now=100) == 0


def test_address_spraying_many_accounts_is_slowed():
    sprayer = FakeRequest("10.0.0.3")
    for i in range(4 * (t.FREE + 1)):
        t.record_failure(sprayer, f"user{i}", now=100)
    assert t.wait_seconds(sprayer, "someone-new", now=100) > 0
