"""Publishing safety: nothing is reachable by attribute, path tricks or odd names."""

import pytest

from conftest import ADMIN_PASSWORD, sign_in
from test_errors import call_raw

# what would show if an attribute, a method or internal state leaked out
SECRET_MARKERS = ("$argon2", "Traceback", "<bound method",
                  "persistent.", "OOBTree", "<cupola.", "Connection", "b'\\x")


@pytest.mark.parametrize("path", [
    "/_p_jar", "/welcome/_p_jar", "/welcome/_p_serial", "/welcome/__class__",
    "/welcome/__dict__", "/welcome/__init__", "/welcome/__reduce__",
    "/welcome/_text", "/welcome/text", "/welcome/touch", "/welcome/set_data",
    "/about/_items", "/about/_order", "/about/_count", "/about/keys",
    "/users/admin", "/users/admin/password_hash", "/settings/secret",
    "/groups/x",
    "/audit_log", "/api_tokens", "/_local_roles", "/welcome/workflow_history",
    "/about/team/__parent__", "/about/team/__parent__/__parent__/users",
    "/welcome/@@__class__", "/welcome/@@_p_jar", "/@@users/admin",
    "/about/@@view/_items", "/++resource++cupola/../../../etc/passwd",
    "/++resource++cupola/.hidden", "/++resource++/etc/passwd",
    "/++etc++site", "/++skin++x/welcome", "/welcome/++resource++cupola/cupola.css",
])
@pytest.mark.parametrize("signed_in", [False, True])
def test_attribute_and_private_names_are_not_published(testapp, path, signed_in):
    if signed_in:
        sign_in(testapp, "admin", ADMIN_PASSWORD)
    response = testapp.get(path, expect_errors=True)
    assert response.status_int in (400, 403, 404), (path, response.status_int)
    for marker in SECRET_MARKERS:
        assert marker not in response.text, (path, marker)


def test_settings_name_reaches_the_settings_view_never_the_mapping(app, testapp):
    """``/settings`` is the @@settings screen (as ``/users`` is @@users): for
    Anonymous a sign-in redirect; the stored settings never show."""
    from conftest import Site
    with Site(app) as site:
        secret = site.settings["secret"]
    assert testapp.get("/settings").status_int == 303
    sign_in(testapp, "admin", ADMIN_PASSWORD)
    page = testapp.get("/settings")
    assert secret not in page.text and "OOBTree" not in page.text


@pytest.mark.parametrize("raw_path", [
    "/about%2F..%2Fwelcome", "/about/%2e%2e/welcome", "/%2e%2e/etc/passwd",
    "/about/..%2Fwelcome", "/about/./././team/..", "/about//team/%00",
    "/\u00ff\u00fe", "/" + "a/" * 70, "/" + "x" * 9000, "/about/team/" + "%2e" * 50,
])
def test_encoded_slashes_and_dots_never_escape(app, raw_path):
    from urllib.parse import unquote
    path = unquote(raw_path, encoding="latin-1") if "%" in raw_path else raw_path
    status, headers, body = call_raw(app, path)
    assert status in (400, 404, 414), (raw_path, status)
    assert b"Traceback" not in body


def test_view_names_on_objects_without_them_are_404(testapp):
    for path in ("/welcome/@@download", "/about/@@inline", "/welcome/@@login",
                 "/about/team/@@logout", "/welcome/view/view"):
        testapp.get(path, status=404)


def test_get_never_changes_data(app, testapp):
    before = app.db.lastTransaction()
    for path in ("/", "/welcome", "/@@login", "/@@logout", "/@@logged-out",
                 "/about/@@view?b_start=5"):
        testapp.get(path, expect_errors=True)
    assert app.db.lastTransaction() == before


def test_session_cookie_of_another_site_is_refused():
    from webtest import TestApp
    from conftest import build_app
    one, two = TestApp(build_app()), TestApp(build_app())
    sign_in(one)
    cookie = one.cookies["cupola_session"]
    two.set_cookie("cupola_session", cookie)
    assert "Sign in" in two.get("/")  # signed with another site's secret


def test_basic_auth_works_for_scripts_not_browsers(testapp):
    import base64
    creds = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
    script = testapp.get("/", headers={"Authorization": f"Basic {creds}"})
    assert "Site administrator" in script
    browser = testapp.get("/", headers={"Authorization": f"Basic {creds}",
                                        "Sec-Fetch-Mode": "navigate"})
    assert "Site administrator" not in browser


def test_bearer_token_authenticates(app, testapp, site_of):
    from cupola.security.tokens import create_token
    with site_of(app) as site:
        _, secret = create_token(site, site.users["admin"], "script")
    assert "Site administrator" in testapp.get(
        "/", headers={"Authorization": f"Bearer {secret}"})
    assert "Site administrator" not in testapp.get(
        "/", headers={"Authorization": "Bearer cpl_nope_nope"})


def test_token_requests_need_no_csrf_but_cookie_requests_do(app, testapp, site_of):
    from cupola.security.tokens import create_token
    with site_of(app) as site:
        _, secret = create_token(site, site.users["admin"], "script")
    testapp.post("/@@logout", headers={"Authorization": f"Bearer {secret}"}, status=303)


def test_csrf_token_of_another_user_is_refused(app, site_of):
    from webtest import TestApp
    from conftest import csrf_from
    from cupola.security.users import add_user
    with site_of(app) as site:
        add_user(site, "eve", "eve-password-1")
    eve = TestApp(app)
    sign_in(eve, "eve", "eve-password-1")
    stolen = csrf_from(eve.get("/@@logout"))
    victim = TestApp(app)
    sign_in(victim)
    victim.set_cookie("cupola_csrf", eve.cookies["cupola_csrf"])
    victim.post("/@@logout", {"_csrf": stolen}, status=403)


def test_throttled_login_answers_429_and_keeps_the_real_user_in(app):
    from webtest import TestApp
    from conftest import csrf_from
    attacker = TestApp(app, extra_environ={"REMOTE_ADDR": "10.9.9.9"})
    for _ in range(8):
        page = attacker.get("/@@login")
        attacker.post("/@@login", {"_csrf": csrf_from(page), "login": "admin",
                                   "password": "guess"}, expect_errors=True)
    page = attacker.get("/@@login")
    blocked = attacker.post("/@@login", {"_csrf": csrf_from(page), "login": "admin",
                                         "password": ADMIN_PASSWORD}, status=429)
    assert "Too many failed attempts" in blocked and blocked.headers["Retry-After"]
    owner = TestApp(app, extra_environ={"REMOTE_ADDR": "192.168.0.5"})
    assert sign_in(owner).status_int == 303


def test_logout_revokes_a_copied_session_cookie(app):
    from webtest import TestApp
    from conftest import csrf_from
    browser = TestApp(app)
    sign_in(browser)
    stolen = browser.cookies["cupola_session"]
    browser.post("/@@logout", {"_csrf": csrf_from(browser.get("/@@logout"))})
    thief = TestApp(app)
    thief.set_cookie("cupola_session", stolen)
    assert "Sign in" in thief.get("/")


def test_login_records_audit_entries(app, testapp, site_of):
    from cupola.security.audit import recent
    sign_in(testapp, password="wrong")
    sign_in(testapp)
    with site_of(app) as site:
        actions = [e["action"] for e in recent(site)]
    assert actions[:2] == ["login.success", "login.failure"]


def test_audit_log_file_is_written_for_operators(tmp_path, monkeypatch):
    import json
    import logging
    from webtest import TestApp
    from cupola.wsgi import make_app
    audit = logging.getLogger("cupola.audit")
    saved = audit.handlers[:]
    audit.handlers.clear()
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("CUPOLA_ZODB_URI", raising=False)
    try:
        app = make_app({"here": str(tmp_path)}, zodb_uri="memory://")
        sign_in(TestApp(app), password="wrong")
        for handler in audit.handlers:
            handler.flush()
        lines = (tmp_path / "var" / "log" / "audit.log").read_text().splitlines()
        assert json.loads(lines[-1])["action"] == "login.failure"
    finally:
        for handler in audit.handlers:
            handler.close()
        audit.handlers[:] = saved


class TestPublicationWindow:
    def test_content_is_hidden_outside_its_dates_but_not_from_editors(self, app, testapp, site_of):
        from datetime import datetime, timedelta, timezone
        from conftest import publish
        from cupola.content.document import Document
        now = datetime.now(timezone.utc)
        with site_of(app) as site:
            publish(site.add("soon", Document("Coming soon"))).effective = now + timedelta(days=1)
            publish(site.add("old", Document("Old offer"))).expires = now - timedelta(days=1)
            publish(site.add("live", Document("Live"))).expires = now + timedelta(days=1)
        testapp.get("/soon", status=303)
        testapp.get("/old", status=303)
        assert "Live" in testapp.get("/live")
        listing = testapp.get("/")
        assert "Coming soon" not in listing and "Old offer" not in listing
        sign_in(testapp)
        assert "Coming soon" in testapp.get("/soon")
        assert "Old offer" in testapp.get("/")
