"""Fixtures of the catalog tests: a site on memory:// with an empty catalog,
and who is searching. Not a conftest.py: that name would shadow the root
``conftest`` that other tests import ``build_app`` from."""

import pytest
import transaction

from cupola.security.roles import ANONYMOUS, AUTHENTICATED, MANAGER, MEMBER


class Searcher:
    """The parts of a request the policy and the catalog read: the registry,
    the site and the identity the policy caches in environ (a signed-in
    request carries the same keys once authenticated)."""

    def __init__(self, registry, site, login=None, roles=()):
        self.registry, self.site = registry, site
        if login is None:
            self.environ = {"cupola.user": None, "cupola.principals": (),
                            "cupola.global_roles": frozenset({ANONYMOUS})}
        else:
            self.environ = {
                "cupola.user": site.users.get(login),
                "cupola.principals": (login,),
                "cupola.global_roles": frozenset(
                    {ANONYMOUS, AUTHENTICATED, MEMBER, *roles})}


@pytest.fixture
def registry(app):
    return app.registry


@pytest.fixture
def tm():
    return transaction.TransactionManager()


@pytest.fixture
def site(app, tm):
    """The site with its welcome content deleted (committed): empty catalog."""
    from cupola.content.operations import delete
    from cupola.registry import pop_registry, push_registry
    conn = app.db.open(transaction_manager=tm)
    tm.begin()
    push_registry(app.registry)
    site = conn.root()["cupola.site"]
    for child in list(site.values()):
        delete(child)
    tm.commit()
    yield site
    pop_registry()
    tm.abort()
    conn.close()


@pytest.fixture
def catalog(site):
    return site.catalog


@pytest.fixture
def searcher(registry, site):
    """searcher(login=None, *global roles) -> a request-like Searcher."""
    def make(login=None, *roles):
        return Searcher(registry, site, login, roles)
    return make


@pytest.fixture
def manager(searcher):
    return searcher("admin", MANAGER)
