"""Functional tests of the admin UI (a package: test_users.py exists in tests/unit too).

Helpers shared by the modules: people to sign in as, and checks that a
request was refused.
"""

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

PASSWORD = "a-good-password-1"


def add_person(app, login, roles=(), password=PASSWORD, fullname="", email="",
               groups=()):
    """Create a user straight in the database."""
    from cupola.security.users import add_member, add_user
    with Site(app) as site:
        add_user(site, login, password, roles=roles,
                 fullname=fullname or login.title(), email=email)
        for group_id in groups:
            add_member(site, group_id, login)


def browser(app, login=None, password=PASSWORD):
    """A WebTest client, signed in as *login* when given."""
    client = TestApp(app)
    if login is not None:
        response = sign_in(client, login, password)
        assert response.status_int == 303, f"{login} could not sign in"
    return client


def member(app, login="mel"):
    """A signed-in user with no role but Member."""
    add_person(app, login, roles=("Member",))
    return browser(app, login)


def is_login_redirect(response):
    return response.status_int == 303 and "/@@login?came_from=" in response.location


def post_form(client, url, fields, page=None, **kwargs):
    """POST *fields* (a dict, lists for repeated fields) to *url* with the
    CSRF token of *page* (default: a GET of *url*)."""
    page = page if page is not None else client.get(url)
    pairs = [("_csrf", csrf_from(page))]
    for name, value in fields.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((name, v) for v in values)
    return client.post(url, pairs, **kwargs)


def messages_of(response):
    """The status messages shown on a page."""
    return [p.get_text(" ", strip=True)
            for p in response.html.select(".status-messages p")]


@pytest.fixture(name="app")
def file_app(tmp_path):
    """The ``app`` fixture of modules that need FileStorage (memory:// keeps
    no history to undo or pack); a module imports it with ``file_admin``."""
    application = build_app(zodb_uri=f"file://{tmp_path}/Data.fs")
    yield application
    application.db.close()


@pytest.fixture(name="admin")
def file_admin(app):
    """The ``admin`` fixture beside ``file_app``: a client signed in as admin."""
    client = TestApp(app)
    sign_in(client)
    return client


def last_audit(app, action=None):
    from cupola.security.audit import recent
    with Site(app) as site:
        found = recent(site, 1, action)
    return found[0] if found else None
