"""Signing in and out with a form, a signed cookie and CSRF tokens."""

from conftest import ADMIN_PASSWORD, csrf_from, sign_in


class TestLogin:
    def test_login_form_has_two_fields_and_a_token(self, testapp):
        page = testapp.get("/@@login")
        form = page.html.select_one("form.form")
        assert form.select_one("input[name=login]")
        assert form.select_one("input[name=password][type=password]")
        assert form.select_one("input[name=_csrf]")["value"]

    def test_good_password_sets_session_and_redirects(self, testapp):
        response = sign_in(testapp)
        assert response.status_int == 303
        assert response.location == "http://localhost/"
        assert "cupola_session" in testapp.cookies
        assert "Site administrator" in testapp.get("/")

    def test_bad_password_shows_error_and_no_session(self, testapp):
        response = sign_in(testapp, password="wrong")
        assert response.status_int == 200
        assert "do not match" in response
        assert "cupola_session" not in testapp.cookies

    def test_unknown_user_looks_like_bad_password(self, testapp):
        assert "do not match" in sign_in(testapp, login="nobody")

    def test_missing_csrf_token_is_403_and_no_session(self, testapp):
        testapp.get("/@@login")
        response = testapp.post("/@@login", {"login": "admin",
                                             "password": ADMIN_PASSWORD},
                                status=403)
        assert "expired" in response
        assert "cupola_session" not in testapp.cookies

    def test_wrong_csrf_token_is_403(self, testapp):
        testapp.get("/@@login")
        testapp.post("/@@login", {"_csrf": "x" * 43, "login": "admin",
                                  "password": ADMIN_PASSWORD}, status=403)

    def test_came_from_inside_the_site_is_followed(self, testapp):
        page = testapp.get("/@@login")
        response = testapp.post("/@@login", {
            "_csrf": csrf_from(page), "login": "admin",
            "password": ADMIN_PASSWORD, "came_from": "/about/team"})
        assert response.location == "http://localhost/about/team"

    def test_came_from_outside_the_site_is_ignored(self, testapp):
        for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            testapp.reset()
            page = testapp.get("/@@login")
            response = testapp.post("/@@login", {
                "_csrf": csrf_from(page), "login": "admin",
                "password": ADMIN_PASSWORD, "came_from": target})
            assert response.location == "http://localhost/", target

    def test_forged_session_cookie_is_ignored(self, testapp):
        testapp.set_cookie("cupola_session", "admin.forged.signature")
        assert "Sign in" in testapp.get("/")

    def test_protected_view_sends_anonymous_to_login(self, testapp):
        from conftest import build_app
        from webtest import TestApp
        from cupola.interfaces import ISite

        def secret(context, request):
            return "<p>secret</p>"

        app = TestApp(build_app(lambda c: c.add_view(
            secret, "secret", context=ISite, permission="cupola.ManageSite")))
        response = app.get("/@@secret?x=1", status=303)
        assert response.location == "http://localhost/@@login?came_from=%2F%40%40secret%3Fx%3D1"
        sign_in(app)
        assert "secret" in app.get("/@@secret")


class TestLogout:
    def test_one_click_logout_ends_the_session(self, admin):
        page = admin.get("/")
        form = page.forms[0] if page.forms else None
        token = page.html.select_one("form.inline-form input[name=_csrf]")["value"]
        response = admin.post("/@@logout", {"_csrf": token}, status=303)
        assert response.location.endswith("/@@logged-out")
        done = response.follow()
        assert "You are signed out" in done
        assert "Sign in" in admin.get("/")

    def test_password_change_ends_old_sessions(self, app, admin, site_of):
        with site_of(app) as site:
            site.users["admin"].set_password("another-password")
        assert "Sign in" in admin.get("/")
