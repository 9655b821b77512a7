"""Fixtures shared by all tests: an application on memory:// and a browser-ish client."""

import os
import re
import sys
import tempfile

import pytest

# Compiled templates on disk, shared by every app the tests build (and by the
# processes they start): compiling them again for each test's app was three
# quarters of the suite's time. Chameleon keys the files by a digest of the
# source, so an edited template is never served stale. Set before any import
# of chameleon, which reads the variable once.
_TEMPLATE_CACHE = os.path.join(tempfile.gettempdir(), f"cupola-test-templates-{os.getuid()}")
os.makedirs(_TEMPLATE_CACHE, exist_ok=True)
os.environ.setdefault("CHAMELEON_CACHE", _TEMPLATE_CACHE)

ADMIN_PASSWORD = "admin-secret-pw"

# The deploy tests' fixtures (``start``, ``zeo``) live in tests/deploy/servers.py
# and are offered here: a second conftest.py in tests/deploy would be imported
# as the module "conftest" too and hide this one's helpers from every
# ``from conftest import build_app`` collected after it.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "deploy"))
from servers import start, zeo  # noqa: E402,F401  (fixtures, found by name)


def pytest_configure(config):
    """Cheap Argon2 parameters: the tests hash many passwords."""
    from cupola.security.passwords import configure_hasher
    configure_hasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    from cupola.security.throttle import reset
    reset()
    yield


def build_app(*includes, **settings):
    """A real Application on a fresh in-memory database, plus extra includes."""
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    settings.setdefault("zodb_uri", "memory://")
    config = configure(settings)
    for include in includes:
        config.include(include)
    db = open_db(settings["zodb_uri"])
    bootstrap(db, admin_password=ADMIN_PASSWORD, echo=None, registry=config.registry)
    return Application(config.registry, db, settings)


@pytest.fixture
def app():
    application = build_app()
    yield application
    application.db.close()


@pytest.fixture
def testapp(app):
    from webtest import TestApp
    return TestApp(app)


def csrf_from(response):
    match = re.search(r'name="_csrf" value="([^"]+)"', response.text)
    assert match, "no CSRF field in the page"
    return match.group(1)


def sign_in(testapp, login="admin", password=ADMIN_PASSWORD):
    page = testapp.get("/@@login")
    return testapp.post("/@@login", {"_csrf": csrf_from(page), "login": login,
                                     "password": password, "came_from": "/"})


@pytest.fixture
def admin(testapp):
    sign_in(testapp)
    return testapp


def publish(*objects):
    """Put objects straight into the published state (test set-up only)."""
    for obj in objects:
        obj.workflow_state = "published"
    return objects[0] if len(objects) == 1 else objects


class Site:
    """Direct access to the site of an app inside a committed transaction."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        import transaction
        from cupola.registry import push_registry
        self.tm = transaction.TransactionManager()
        self.conn = self.app.db.open(transaction_manager=self.tm)
        self.tm.begin()
        push_registry(self.app.registry)
        return self.conn.root()["cupola.site"]

    def __exit__(self, exc_type, *rest):
        from cupola.registry import pop_registry
        pop_registry()
        if exc_type is None:
            self.tm.commit()
        else:
            self.tm.abort()
        self.conn.close()


@pytest.fixture
def site_of():
    return Site
