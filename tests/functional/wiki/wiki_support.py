"""Helpers of the wiki's functional tests: a site with the wiki active,
a wiki added through the web, pages added straight in the database."""

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

PASSWORD = "a-good-password-1"


def wiki_app(**settings):
    return build_app(activate_addons="cupola_wiki", **settings)


def admin_browser(app):
    browser = TestApp(app)
    sign_in(browser)
    return browser


def add_wiki(browser, title="Team wiki", where=""):
    form = browser.get(f"{where}/++add++Wiki")
    response = browser.post(f"{where}/++add++Wiki",
                            {"_csrf": csrf_from(form), "title": title}, status=303)
    return response.location.replace("http://localhost", "")


def add_page(browser, wiki, title, body="", format="markdown", name="", **extra):
    form = browser.get(f"{wiki}/++add++WikiPage")
    fields = {"_csrf": csrf_from(form), "title": title, "body": body,
              "format": format, "_name": name, **extra}
    return browser.post(f"{wiki}/++add++WikiPage", fields)


def edit_page(browser, path, comment="", **fields):
    form = browser.get(f"{path}/@@edit")
    current = {"title": form.html.select_one("#field-title")["value"],
               "body": form.html.select_one("#field-body").text,
               "format": form.html.select_one("[name=format][checked]")["value"]}
    current.update(fields)
    return browser.post(f"{path}/@@edit", {"_csrf": csrf_from(form), "_comment": comment,
                                           **current}, status=303)


def add_person(app, login, roles=()):
    from cupola.security.users import add_user
    with Site(app) as site:
        add_user(site, login, PASSWORD, roles=roles, fullname=login.title())


def person(app, login, roles=()):
    add_person(app, login, roles)
    browser = TestApp(app)
    assert sign_in(browser, login, PASSWORD).status_int == 303
    return browser


def publish(browser, *paths):
    """Publish each path through its @@workflow form."""
    for path in paths:
        form = browser.get(f"{path}/@@workflow")
        browser.post(f"{path}/@@workflow", {"_csrf": csrf_from(form),
                                             "transition": "publish"}, status=303)


# Fixtures: a test module imports the ones it uses (pytest finds them by name).

@pytest.fixture
def app():
    """A site with the wiki active, closed after the test."""
    application = wiki_app()
    yield application
    application.db.close()


@pytest.fixture
def admin(app):
    """A TestApp signed in as the site's admin."""
    return admin_browser(app)


@pytest.fixture
def wiki(admin):
    """The path of a wiki added through the web by the admin."""
    return add_wiki(admin)
