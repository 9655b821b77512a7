"""Helpers of the blog's functional tests: a site with the blog active, a
blog and posts added through the web, people with roles."""

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

PASSWORD = "a-good-password-1"


def blog_app(**settings):
    return build_app(activate_addons="cupola_blog", **settings)


def admin_browser(app):
    browser = TestApp(app)
    sign_in(browser)
    return browser


def add_blog(browser, title="Team blog", where="", comments="anyone", action="publish"):
    form = browser.get(f"{where}/++add++Blog")
    response = browser.post(f"{where}/++add++Blog",
                            {"_csrf": csrf_from(form), "title": title,
                             "comments": comments, "_action": action}, status=303)
    return path_of(response.location)


def add_post(browser, blog, title, text="<p>Text.</p>", action="publish", status=303,
             **fields):
    form = browser.get(f"{blog}/++add++BlogPost")
    data = {"_csrf": csrf_from(form), "title": title, "text": text,
            "_action": action, **fields}
    response = browser.post(f"{blog}/++add++BlogPost", data, status=status)
    return path_of(response.location) if status == 303 else response


def path_of(url):
    return url.replace("http://localhost", "")


def set_dates(app, path, effective=None, **extra):
    """Set a post's fields straight in the database (and reindex it)."""
    from cupola.catalog import find_catalog
    from cupola.catalog.queue import queue_for
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        if effective is not None:
            obj.effective = effective
        for key, value in extra.items():
            setattr(obj, key, value)
        queue_for(find_catalog(obj)).add(obj)


def person(app, login, roles=(), fullname=None):
    from cupola.security.users import add_user
    with Site(app) as site:
        add_user(site, login, PASSWORD, roles=roles,
                 fullname=fullname or login.title())
    browser = TestApp(app)
    assert sign_in(browser, login, PASSWORD).status_int == 303
    return browser


def comment(browser, post, author="Ann", text="Nice post.", status=303, **extra):
    page = browser.get(post)
    data = {"_csrf": csrf_from(page), "author": author, "text": text, "website": "",
            **extra}
    return browser.post(f"{post}/@@comment", data, status=status)


def moderate(browser, blog, post_name, comment_id, action, status=303):
    page = browser.get(f"{blog}/@@moderate-comments")
    return browser.post(f"{blog}/@@moderate-comments",
                        {"_csrf": csrf_from(page), "post": post_name,
                         "comment": comment_id, "action": action}, status=status)


def pending_ids(app, path):
    from cupola_blog.comments import PENDING, comments_of
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return [c.id for c in comments_of(obj, PENDING)]


# Fixtures: a test module imports the ones it uses (pytest finds them by name).

@pytest.fixture
def app():
    """A site with the blog active, closed after the test."""
    application = blog_app()
    yield application
    application.db.close()


@pytest.fixture
def admin(app):
    """A TestApp signed in as the site's admin."""
    return admin_browser(app)
