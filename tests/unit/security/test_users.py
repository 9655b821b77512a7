"""Users, groups, passwords and tokens stored in the site."""

import pytest

from cupola.content.folder import Site
from cupola.security import users as u
from cupola.security.passwords import password_problems
from cupola.security.tokens import create_token, find_token_user, revoke_token, user_tokens


@pytest.fixture
def site():
    return Site()


class TestUsers:
    def test_add_and_authenticate(self, site):
        u.add_user(site, "ann", "correct horse battery")
        assert u.authenticate(site, "ann", "correct horse battery").login == "ann"
        assert u.authenticate(site, "ann", "wrong") is None
        assert u.authenticate(site, "nobody", "x") is None

    def test_disabled_user_cannot_sign_in(self, site):
        u.add_user(site, "ann", "correct horse battery").enabled = False
        assert u.authenticate(site, "ann", "correct horse battery") is None

    @pytest.mark.parametrize("login", ["", " ann", "a/b", "-x", "x" * 101, "a b"])
    def test_bad_logins(self, site, login):
        with pytest.raises(u.PrincipalError):
            u.add_user(site, login, "correct horse battery")

    def test_login_taken_by_user_or_group(self, site):
        u.add_user(site, "ann", "pw-long-enough")
        u.add_group(site, "staff")
        for name in ("ann", "staff"):
            with pytest.raises(u.PrincipalError, match="taken"):
                u.add_user(site, name, "pw-long-enough")

    def test_password_change_revokes_sessions(self, site):
        user = u.add_user(site, "ann", "pw-long-enough")
        before = user.session_version
        user.set_password("another-long-one")
        assert user.session_version == before + 1
        assert user.check_password("another-long-one")

    def test_rehash_when_parameters_change(self, site):
        from cupola.security.passwords import configure_hasher
        user = u.add_user(site, "ann", "pw-long-enough")
        old = user.password_hash
        configure_hasher(time_cost=2, memory_cost=16, parallelism=1)
        try:
            assert user.check_password("pw-long-enough")
            assert user.password_hash != old and "t=2" in user.password_hash
        finally:
            configure_hasher(time_cost=1, memory_cost=8, parallelism=1)

    def test_argon2id_is_used(self, site):
        assert u.add_user(site, "ann", "pw-long-enough").password_hash.startswith("$argon2id$")

    def test_delete_user_leaves_groups(self, site):
        u.add_user(site, "ann", "pw-long-enough")
        u.add_group(site, "staff")
        u.add_member(site, "staff", "ann")
        u.delete_user(site, "ann")
        assert "ann" not in site.users and "ann" not in site.groups["staff"].members


class TestPasswordPolicy:
    @pytest.mark.parametrize("password, problem", [
        ("short", "at least"), ("password123", "easy"), ("aaaaaaaaaaaa", "easy"),
        ("ann-is-my-login", "login"),
    ])
    def test_refused(self, password, problem):
        assert any(problem in p for p in password_problems(password, "ann"))

    def test_accepted(self):
        assert password_problems("correct horse battery", "ann") == []

    def test_policy_applies_when_asked(self, site):
        with pytest.raises(u.PrincipalError, match="at least"):
            u.add_user(site, "ann", "short", check_policy=True)


class TestGroups:
    def test_nested_groups_are_expanded(self, site):
        ann = u.add_user(site, "ann", "pw-long-enough")
        for gid in ("editors", "staff", "everyone"):
            u.add_group(site, gid)
        u.add_member(site, "editors", "ann")
        u.add_member(site, "staff", "editors")
        u.add_member(site, "everyone", "staff")
        assert u.principal_groups(site, ann) == {"editors", "staff", "everyone"}

    def test_loops_are_refused(self, site):
        for gid in ("a", "b", "c"):
            u.add_group(site, gid)
        u.add_member(site, "a", "b")
        u.add_member(site, "b", "c")
        with pytest.raises(u.PrincipalError, match="loop"):
            u.add_member(site, "c", "a")
        with pytest.raises(u.PrincipalError, match="loop"):
            u.add_member(site, "a", "a")

    def test_unknown_member(self, site):
        u.add_group(site, "a")
        with pytest.raises(u.PrincipalError, match="no user or group"):
            u.add_member(site, "a", "ghost")

    def test_delete_group_removes_memberships(self, site):
        ann = u.add_user(site, "ann", "pw-long-enough")
        u.add_group(site, "a")
        u.add_group(site, "outer")
        u.add_member(site, "a", "ann")
        u.add_member(site, "outer", "a")
        u.delete_group(site, "a")
        assert "a" not in ann.groups and "a" not in site.groups["outer"].members


class TestTokens:
    def test_token_finds_its_user_and_is_stored_hashed(self, site):
        ann = u.add_user(site, "ann", "pw-long-enough")
        token, secret = create_token(site, ann, "deploy script")
        assert find_token_user(site, secret) is ann
        assert secret.split("_", 2)[2] not in token.digest
        assert [t.title for t in user_tokens(site, "ann")] == ["deploy script"]

    @pytest.mark.parametrize("value", ["", "cpl_", "cpl_nothing", "xyz_a_b", "cpl_abc_def"])
    def test_bad_tokens(self, site, value):
        assert find_token_user(site, value) is None

    def test_revoked_or_tampered_token_fails(self, site):
        ann = u.add_user(site, "ann", "pw-long-enough")
        token, secret = create_token(site, ann, "t")
        assert find_token_user(site, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        with pytest.raises(KeyError):
            revoke_token(site, token.id, login="someone-else")
        revoke_token(site, token.id, login="ann")
        assert find_token_user(site, secret) is None

    def test_disabled_user_token_fails(self, site):
        ann = u.add_user(site, "ann", "pw-long-enough")
        _, secret = create_token(site, ann, "t")
        ann.enabled = False
        assert find_token_user(site, secret) is None


def test_a_hundred_thousand_users_work():
    """Users live in a BTree: adding, finding and paging stay cheap."""
    import itertools
    import transaction
    from ZODB import DB
    db = DB(None)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    with tm:
        site = conn.root()["site"] = Site()
        for i in range(100_000):
            u.add_user(site, f"user{i:06d}", "pw-long-enough")
    conn.close()
    conn = db.open()
    users = conn.root()["site"].users
    assert len(users) == 100_000
    assert users["user099999"].login == "user099999"
    page = list(itertools.islice(users.keys(min="user050000"), 50))
    assert page[0] == "user050000" and page[-1] == "user050049"
    conn.close()
    db.close()
