"""@@account: own profile, own password, API tokens, other browsers."""

import re

from conftest import Site, sign_in

from . import (PASSWORD, add_person, browser, is_login_redirect, last_audit,
               messages_of, post_form)

NEW_PASSWORD = "my-new-secret-88"


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return post_form(client, "/@@account", {
        "form": "password", "current": current, "password": new,
        "password2": new if again is None else again})


def test_anonymous_goes_to_sign_in_and_comes_back(app):
    response = browser(app).get("/@@account", status=303)
    assert response.location.endswith("/@@login?came_from=%2F%40%40account")


def test_profile_is_saved(app):
    add_person(app, "ann", fullname="Ann")
    ann = browser(app, "ann")
    response = post_form(ann, "/@@account", {
        "form": "profile", "fullname": "Ann Lee", "email": "ann@example.org"})
    page = response.follow()
    assert "Saved your profile." in messages_of(page)
    assert page.html.select_one("#fullname")["value"] == "Ann Lee"
    assert last_audit(app, "user.changed")["target"] == "ann"


def test_profile_errors_keep_the_values(app):
    add_person(app, "ann")
    page = post_form(browser(app, "ann"), "/@@account", {
        "form": "profile", "fullname": "", "email": "not-an-address"})
    assert page.status_int == 200
    assert page.html.select_one("#fullname-error")
    assert page.html.select_one("#email")["value"] == "not-an-address"


def test_password_change_keeps_this_browser_and_signs_out_the_others(app):
    add_person(app, "ann")
    here, elsewhere = browser(app, "ann"), browser(app, "ann")
    response = change_password(here)
    page = response.follow()
    assert "Changed your password" in " ".join(messages_of(page))
    assert page.html.select_one(".user-name").text == "Ann"
    assert is_login_redirect(elsewhere.get("/@@account"))
    assert sign_in(browser(app), "ann", NEW_PASSWORD).status_int == 303
    assert last_audit(app, "password.changed")["actor"] == "ann"


def test_password_change_needs_the_current_password_and_the_policy(app):
    add_person(app, "ann")
    ann = browser(app, "ann")
    page = change_password(ann, current="wrong-password-0")
    assert "not your current password" in page.html.select_one("#current-error").text
    page = change_password(ann, new="ann-ann-ann-1")
    assert "may not contain the login" in page.html.select_one("#password-error").text
    page = change_password(ann, again="something-else-2")
    assert "differ" in page.html.select_one("#password2-error").text
    assert sign_in(browser(app), "ann", PASSWORD).status_int == 303


def test_guessing_the_current_password_is_throttled(app):
    add_person(app, "ann")
    ann = browser(app, "ann")
    for _ in range(5):
        change_password(ann, current="wrong-password-0")
    page = change_password(ann)
    assert "Too many wrong passwords" in page.html.select_one("#current-error").text
    assert last_audit(app, "password.change_refused")["target"] == "ann"


def test_token_is_shown_once_and_works_until_revoked(app):
    add_person(app, "ann")
    ann = browser(app, "ann")
    page = post_form(ann, "/@@account", {"form": "token", "token_title": "backup script"})
    assert page.status_int == 200
    assert page.headers["Cache-Control"] == "no-store"
    secret = page.html.select_one("code#token").text
    assert re.fullmatch(r"cpl_\w+_[\w-]+", secret)
    listing = ann.get("/@@account")
    assert "backup script" in listing and secret not in listing
    script = browser(app)
    headers = {"Authorization": f"Bearer {secret}"}
    assert "My account" in script.get("/@@account", headers=headers)
    token_id = listing.html.select_one("input[name=token]")["value"]
    response = post_form(ann, "/@@account", {"form": "revoke", "token": token_id}, listing)
    assert "Revoked the token “backup script”" in " ".join(messages_of(response.follow()))
    assert is_login_redirect(script.get("/@@account", headers=headers))
    assert last_audit(app, "token.revoked")["title"] == "backup script"
    assert last_audit(app, "token.created")["title"] == "backup script"


def test_nobody_revokes_someone_elses_token(app):
    from cupola.security.tokens import create_token, user_tokens
    add_person(app, "ann")
    add_person(app, "bob")
    with Site(app) as site:
        token, _ = create_token(site, site.users["bob"], "bob's")
    response = post_form(browser(app, "ann"), "/@@account",
                         {"form": "revoke", "token": token.id})
    assert "does not exist" in " ".join(messages_of(response.follow()))
    with Site(app) as site:
        assert len(user_tokens(site, "bob")) == 1


def test_sign_out_other_browsers(app):
    add_person(app, "ann")
    here, elsewhere = browser(app, "ann"), browser(app, "ann")
    response = post_form(here, "/@@account", {"form": "sessions"})
    assert "Signed out every other browser" in " ".join(messages_of(response.follow()))
    assert here.get("/@@account").status_int == 200
    assert is_login_redirect(elsewhere.get("/@@account"))
