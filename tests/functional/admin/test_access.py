"""Who may open each admin page, and that no change gets through without a token."""

import pytest

from conftest import ADMIN_PASSWORD, Site, build_app

from . import add_person, browser, is_login_redirect

# (GET url, POST url or None) of every admin page
PAGES = [
    ("/@@users", None),
    ("/@@users?q=bob", None),
    ("/@@add-user", "/@@add-user"),
    ("/@@edit-user?login=bob", "/@@edit-user"),
    ("/@@delete-user?login=bob", "/@@delete-user"),
    ("/@@reset-password?login=bob", "/@@reset-password"),
    ("/@@groups", None),
    ("/@@add-group", "/@@add-group"),
    ("/@@edit-group?id=staff", "/@@edit-group"),
    ("/@@delete-group?id=staff", "/@@delete-group"),
    ("/about/@@sharing", "/about/@@sharing"),
    ("/@@sharing", "/@@sharing"),
    ("/welcome/@@workflow", "/welcome/@@workflow"),
    ("/@@audit", None),
]
GETS = [get for get, _ in PAGES]
POSTS = [post for _, post in PAGES if post] + ["/@@account"]
POST_FIELDS = {"login": "bob", "id": "staff", "fullname": "Changed",
               "title": "Changed", "password": "a-new-password-9",
               "password2": "a-new-password-9", "roles": "Editor",
               "principal": "bob", "role.bob": "Editor", "transition": "retract",
               "form": "profile"}


@pytest.fixture(scope="module")
def world():
    from cupola.security.users import add_group
    app = build_app()
    with Site(app) as site:
        add_group(site, "staff", "Staff")
    add_person(app, "bob", roles=("Editor",))
    add_person(app, "mel", roles=("Member",))
    yield app
    app.db.close()


@pytest.mark.parametrize("url", GETS)
def test_a_manager_sees_the_page(world, url):
    page = browser(world, "admin", ADMIN_PASSWORD).get(url)
    assert page.status_int == 200
    assert page.html.select_one("main h1")


@pytest.mark.parametrize("url", GETS + ["/@@account"])
def test_anonymous_is_sent_to_sign_in(world, url):
    response = browser(world).get(url, status=303)
    assert is_login_redirect(response)


@pytest.mark.parametrize("url", GETS)
def test_a_member_is_refused(world, url):
    page = browser(world, "mel").get(url, status=403)
    assert "Sign in as someone else" in page


def test_a_member_has_an_account_page(world):
    page = browser(world, "mel").get("/@@account")
    assert page.html.select_one("main h1").text == "My account"


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_token_is_refused_and_changes_nothing(world, url):
    client = browser(world, "admin", ADMIN_PASSWORD)
    before = world.db.lastTransaction()
    client.post(url, POST_FIELDS, status=403)
    assert world.db.lastTransaction() == before


@pytest.mark.parametrize("url", POSTS)
def test_a_post_with_a_stolen_token_is_refused(world, url):
    """A token of another browser (or of Anonymous) does not work here."""
    from conftest import csrf_from
    other = browser(world)
    token = csrf_from(other.get("/@@login"))
    client = browser(world, "admin", ADMIN_PASSWORD)
    before = world.db.lastTransaction()
    client.post(url, {**POST_FIELDS, "_csrf": token}, status=403)
    assert world.db.lastTransaction() == before


@pytest.mark.parametrize("url", [p for p in POSTS if p != "/@@account"])
def test_a_member_cannot_post(world, url):
    from conftest import csrf_from
    client = browser(world, "mel")
    token = csrf_from(client.get("/@@account"))
    before = world.db.lastTransaction()
    client.post(url, {**POST_FIELDS, "_csrf": token}, status=403)
    assert world.db.lastTransaction() == before


def test_the_user_menu_links_to_account_and_users(world):
    manager = browser(world, "admin", ADMIN_PASSWORD).get("/")
    links = {a.text.strip(): a["href"] for a in manager.html.select(".user-menu a")}
    assert links["My account"].endswith("/@@account")
    assert links["Users"].endswith("/@@users")
    plain = browser(world, "mel").get("/")
    links = {a.text.strip() for a in plain.html.select(".user-menu a")}
    assert "My account" in links and "Users" not in links
    assert not browser(world).get("/").html.select(".user-menu a[href$='@@account']")
