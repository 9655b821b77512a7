"""@@users, @@add-user, @@edit-user, @@delete-user, @@reset-password."""

from conftest import Site, sign_in

from . import (PASSWORD, add_person, browser, is_login_redirect, last_audit,
               messages_of, post_form)

NEW = {"login": "newbie", "fullname": "New Bie", "email": "newbie@example.org",
       "password": "a-fresh-password-7", "password2": "a-fresh-password-7"}


def user(app, login):
    with Site(app) as site:
        found = site.users.get(login)
        return None if found is None else {
            "fullname": found.fullname, "email": found.email,
            "roles": tuple(found.roles), "groups": tuple(found.groups),
            "enabled": found.enabled}


class TestList:
    def test_rows_show_login_name_email_roles_groups_and_status(self, app, admin):
        from cupola.security.users import add_group
        with Site(app) as site:
            add_group(site, "staff", "Staff")
        add_person(app, "ann", roles=("Editor",), fullname="Ann Lee",
                   email="ann@example.org", groups=("staff",))
        with Site(app) as site:
            site.users["ann"].enabled = False
        page = admin.get("/@@users")
        row = next(tr for tr in page.html.select("tbody tr") if "ann" in tr.text)
        text = row.get_text(" ", strip=True)
        for expected in ("Ann Lee", "ann@example.org", "Editor", "staff", "Disabled"):
            assert expected in text

    def test_search_is_a_case_insensitive_substring_of_login_name_or_email(self, app, admin):
        add_person(app, "ann", fullname="Ann Lee", email="ann@Example.org")
        add_person(app, "bob", fullname="Bob Stone", email="bob@other.net")
        for query, found in (("EXAMPLE", {"ann"}), ("stone", {"bob"}),
                             ("ADMIN", {"admin"}), ("nobody", set())):
            page = admin.get("/@@users", {"q": query})
            logins = {s.text.split()[0] for s in page.html.select("tbody .login")}
            assert logins == found, query
        assert "No user matches" in admin.get("/@@users", {"q": "nobody"})

    def test_fifty_users_a_page_in_login_order(self, app, admin):
        from cupola.security.users import add_user
        with Site(app) as site:
            for n in range(120):
                add_user(site, f"u{n:03d}", PASSWORD)

        def logins(page):
            return [s.text.split()[0] for s in page.html.select("tbody .login")]

        first = admin.get("/@@users")
        assert logins(first) == ["admin"] + [f"u{n:03d}" for n in range(49)]
        assert not first.html.select("a[rel=prev]")
        second = first.click(href="after=u048")
        assert logins(second) == [f"u{n:03d}" for n in range(49, 99)]
        third = second.click(href="after=u098")
        assert logins(third) == [f"u{n:03d}" for n in range(99, 120)]
        assert not third.html.select("a[rel=next]")
        back = third.click(href="before=u099")
        assert logins(back) == logins(second)
        assert logins(back.click(href="before=u049")) == logins(first)


class TestAdd:
    def test_added_user_can_sign_in(self, app, admin):
        response = post_form(admin, "/@@add-user", {**NEW, "roles": ["Editor"]})
        assert response.status_int == 303
        page = response.follow()
        assert "Added the user “newbie”" in " ".join(messages_of(page))
        assert user(app, "newbie")["roles"] == ("Editor",)
        assert sign_in(browser(app), "newbie", NEW["password"]).status_int == 303
        entry = last_audit(app, "user.created")
        assert (entry["actor"], entry["target"]) == ("admin", "newbie")

    def test_errors_are_shown_beside_the_fields_and_values_kept(self, app, admin):
        page = post_form(admin, "/@@add-user", {
            "login": "bad login", "fullname": "Kept Name", "email": "nope",
            "password": "short", "password2": "short"})
        assert page.status_int == 200
        assert "Use letters, digits" in page.html.select_one("#login-error").text
        assert page.html.select_one("#email-error")
        assert "at least 10" in page.html.select_one("#password-error").text
        assert page.html.select_one("#fullname")["value"] == "Kept Name"
        assert page.html.select_one("#login")["aria-invalid"] == "true"
        assert not page.html.select_one("#password")["value"]  # never echoed
        assert user(app, "bad login") is None

    def test_taken_login_and_differing_passwords_are_refused(self, app, admin):
        page = post_form(admin, "/@@add-user", {**NEW, "login": "admin"})
        assert "is taken" in page.html.select_one("#login-error").text
        page = post_form(admin, "/@@add-user", {**NEW, "password2": "something-else-1"})
        assert "differ" in page.html.select_one("#password2-error").text
        assert user(app, "newbie") is None

    def test_groups_are_set_when_adding(self, app, admin):
        from cupola.security.users import add_group
        with Site(app) as site:
            add_group(site, "staff")
        post_form(admin, "/@@add-user", {**NEW, "groups": ["staff"]})
        assert user(app, "newbie")["groups"] == ("staff",)

    def test_only_a_manager_may_give_the_manager_role(self, app):
        add_person(app, "sa", roles=("Site Administrator",))
        client = browser(app, "sa")
        form = client.get("/@@add-user")
        assert form.html.select_one("input[value=Manager]").has_attr("disabled")
        page = post_form(client, "/@@add-user", {**NEW, "roles": ["Manager"]}, form)
        assert "Only a Manager" in page.html.select_one(".checks .field-error").text
        assert user(app, "newbie") is None


class TestEdit:
    def test_changes_are_saved_and_audited(self, app, admin):
        add_person(app, "bob", roles=("Editor",))
        response = post_form(admin, "/@@edit-user?login=bob", {
            "login": "bob", "fullname": "Robert", "email": "rob@example.org",
            "roles": ["Editor", "Reviewer"], "enabled": "1"})
        assert "Saved the changes" in " ".join(messages_of(response.follow()))
        assert user(app, "bob")["fullname"] == "Robert"
        assert user(app, "bob")["roles"] == ("Editor", "Reviewer")
        roles = last_audit(app, "roles.changed")
        assert (roles["target"], roles["before"], roles["after"]) == (
            "bob", ["Editor"], ["Editor", "Reviewer"])
        assert last_audit(app, "user.changed")["changed"] == ["fullname", "email"]

    def test_disabled_user_cannot_sign_in_and_is_signed_out(self, app, admin):
        add_person(app, "bob")
        bob = browser(app, "bob")
        post_form(admin, "/@@edit-user?login=bob", {"login": "bob", "fullname": "Bob"})
        assert user(app, "bob")["enabled"] is False
        assert is_login_redirect(bob.get("/@@account"))
        assert "do not match" in sign_in(browser(app), "bob", PASSWORD)

    def test_nobody_may_disable_themselves_or_drop_their_manager_role(self, app, admin):
        page = post_form(admin, "/@@edit-user?login=admin", {
            "login": "admin", "fullname": "Admin", "roles": ["Editor"]})
        assert page.status_int == 200
        assert "cannot disable your own" in page.text
        assert "cannot remove your own Manager role" in page.text
        assert user(app, "admin")["roles"] == ("Manager",)
        assert user(app, "admin")["fullname"] == "Site administrator"

    def test_a_site_administrator_cannot_change_a_manager(self, app):
        add_person(app, "sa", roles=("Site Administrator",))
        client = browser(app, "sa")
        client.get("/@@edit-user?login=admin", status=403)
        client.get("/@@reset-password?login=admin", status=403)
        client.get("/@@delete-user?login=admin", status=403)

    def test_unknown_login_is_404(self, admin):
        admin.get("/@@edit-user?login=nobody", status=404)


class TestDelete:
    def test_confirmation_names_the_user_then_deletes(self, app, admin):
        add_person(app, "bob", fullname="Bob Stone")
        page = admin.get("/@@delete-user?login=bob")
        assert "Delete the user Bob Stone?" in page.html.select_one("h1").text
        assert page.html.select_one("a", string="Cancel")
        response = post_form(admin, "/@@delete-user", {"login": "bob"}, page)
        assert "Deleted the user “bob”" in " ".join(messages_of(response.follow()))
        assert user(app, "bob") is None
        assert last_audit(app, "user.deleted")["target"] == "bob"

    def test_deleting_revokes_the_users_tokens(self, app, admin):
        from cupola.security.tokens import create_token, find_token_user
        add_person(app, "bob")
        with Site(app) as site:
            _, secret = create_token(site, site.users["bob"], "script")
        post_form(admin, "/@@delete-user", {"login": "bob"},
                  admin.get("/@@delete-user?login=bob"))
        add_person(app, "bob")  # a new person with the old login
        with Site(app) as site:
            assert find_token_user(site, secret) is None

    def test_nobody_may_delete_themselves(self, app, admin):
        response = admin.get("/@@delete-user?login=admin", status=303)
        assert "cannot delete your own" in " ".join(messages_of(response.follow()))
        assert user(app, "admin") is not None


class TestResetPassword:
    def test_new_password_works_and_old_sessions_die(self, app, admin):
        add_person(app, "bob")
        bob = browser(app, "bob")
        response = post_form(admin, "/@@reset-password?login=bob", {
            "login": "bob", "password": "brand-new-secret-4",
            "password2": "brand-new-secret-4"})
        assert "signed out everywhere" in " ".join(messages_of(response.follow()))
        assert is_login_redirect(bob.get("/@@account"))
        assert sign_in(browser(app), "bob", "brand-new-secret-4").status_int == 303
        assert last_audit(app, "user.password_reset")["target"] == "bob"

    def test_the_password_policy_applies(self, app, admin):
        add_person(app, "bob")
        page = post_form(admin, "/@@reset-password?login=bob", {
            "login": "bob", "password": "bob-bob-bob-bob", "password2": "bob-bob-bob-bob"})
        assert "may not contain the login" in page.html.select_one("#password-error").text
        assert sign_in(browser(app), "bob", PASSWORD).status_int == 303

    def test_own_password_is_changed_on_my_account(self, admin):
        response = admin.get("/@@reset-password?login=admin", status=303)
        assert response.location.endswith("/@@account")


def test_leaving_the_group_that_makes_you_manager_is_refused(app):
    from cupola.security.users import add_group
    with Site(app) as site:
        add_group(site, "bosses", "Bosses", roles=("Manager",))
    add_person(app, "boss", groups=("bosses",))
    client = browser(app, "boss")
    page = post_form(client, "/@@edit-user?login=boss", {
        "login": "boss", "fullname": "Boss", "enabled": "1"})
    assert "cannot remove your own Manager role" in page.html.select_one(
        ".checks .field-error").text
    assert user(app, "boss")["groups"] == ("bosses",)
    form = client.get("/@@add-user")  # a Manager through a group may make Managers
    assert not form.html.select_one("input[value=Manager]").has_attr("disabled")
