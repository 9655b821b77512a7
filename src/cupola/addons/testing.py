"""Helpers for an add-on's tests: a real application on a fresh
``memory://`` database, driven through WebTest (a test dependency of the
add-on). See "Testing an add-on" in docs/addons.md.

    app = make_app(addons="my_addon", activate_addons="my_addon")
    browser = TestApp(app)
    sign_in(browser)
    with open_site(app) as site: ...
"""

import re
from contextlib import contextmanager

ADMIN_PASSWORD = "admin-secret-pw"


def make_app(*includes, **settings):
    """A Cupola Application on a new in-memory site with an ``admin``
    account (password ADMIN_PASSWORD). *settings* are the .ini settings
    (``addons``, ``activate_addons``...); *includes* are run after the
    add-ons, like extra ``includeme`` functions. Password hashing is made
    cheap for the whole process, as tests sign in often."""
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.security.passwords import configure_hasher
    from cupola.wsgi import configure
    configure_hasher(time_cost=1, memory_cost=8, parallelism=1)
    settings.setdefault("zodb_uri", "memory://")
    config = configure(settings)
    for include in includes:
        config.include(include)
    db = open_db(settings["zodb_uri"])
    bootstrap(db, admin_password=ADMIN_PASSWORD, echo=None, registry=config.registry)
    return Application(config.registry, db, settings)


def csrf_from(response):
    """The CSRF token of the form in *response* (a WebTest response)."""
    match = re.search(r'name="_csrf" value="([^"]+)"', response.text)
    if match is None:
        raise AssertionError("no CSRF field in the page")
    return match.group(1)


def sign_in(browser, login="admin", password=ADMIN_PASSWORD):
    """Sign *browser* (a webtest.TestApp) in through the login form."""
    page = browser.get("/@@login")
    return browser.post("/@@login", {"_csrf": csrf_from(page), "login": login,
                                     "password": password, "came_from": "/"})


@contextmanager
def open_site(app):
    """The site of *app* in a transaction committed on exit (aborted on an
    error), with its registry and active add-ons current."""
    import transaction

    from cupola.addons.sites import site_scope
    from cupola.db.bootstrap import get_site
    from cupola.registry import pop_registry, push_registry
    tm = transaction.TransactionManager()
    conn = app.db.open(transaction_manager=tm)
    tm.begin()
    push_registry(app.registry)
    try:
        site = get_site(conn)
        with site_scope(app.registry, site):
            yield site
        tm.commit()
    except BaseException:
        tm.abort()
        raise
    finally:
        pop_registry()
        conn.close()
