"""@@audit: the audit log as sentences, newest first, filtered, 100 a page."""

import pytest

from conftest import Site, sign_in

from . import add_person, browser, post_form


def lines(page):
    return [p.text for p in page.html.select(".audit-text")]


def test_the_page_lists_what_happened_newest_first(app, admin):
    add_person(app, "bob", roles=("Editor",))
    sign_in(browser(app), "bob", "wrong")
    post_form(admin, "/@@edit-user?login=bob", {
        "login": "bob", "fullname": "Bob", "roles": ["Editor", "Reviewer"],
        "enabled": "1"})
    found = lines(admin.get("/@@audit"))
    assert found[:3] == [
        "admin changed roles of bob: Editor → Editor, Reviewer",
        "Failed sign-in as bob",
        "admin signed in",
    ]


def test_filter_by_action_prefix_and_actor(app, admin):
    add_person(app, "bob")
    sign_in(browser(app), "bob", "a-good-password-1")
    assert lines(admin.get("/@@audit", {"action": "login.", "actor": "bob"})) == [
        "bob signed in"]
    assert "admin signed in" in lines(admin.get("/@@audit", {"action": "login."}))
    page = admin.get("/@@audit", {"action": "token."})
    assert not lines(page) and "Nothing recorded for this filter" in page


def test_a_hundred_entries_a_page(app, admin):
    from cupola.security.audit import audit

    class Fake:
        environ = {"REMOTE_ADDR": "10.0.0.1", "PATH_INFO": "/"}

    request = Fake()
    with Site(app) as site:
        request.site = site
        for n in range(150):
            audit(request, "demo.thing", actor=f"robot{n:03d}")
    first = admin.get("/@@audit", {"action": "demo."})
    assert len(lines(first)) == 100
    assert lines(first)[0].startswith("robot149")
    second = first.click(href="b_start=100")
    assert len(lines(second)) == 50
    assert lines(second)[-1].startswith("robot000")
    assert not second.html.select("a[rel=next]")


@pytest.mark.parametrize("entry, text", [
    ({"action": "login.success", "actor": "ann"}, "ann signed in"),
    ({"action": "logout", "actor": "ann"}, "ann signed out"),
    ({"action": "user.created", "actor": "admin", "target": "bob",
      "roles": ["Editor"]}, "admin added the user bob (roles: Editor)"),
    ({"action": "user.changed", "actor": "admin", "target": "bob",
      "changed": ["enabled"], "enabled": False}, "admin changed bob: disabled the account"),
    ({"action": "roles.changed", "actor": "admin", "target": "bob",
      "before": [], "after": ["Editor"], "object": "/about"},
     "admin changed roles of bob on /about: — → Editor"),
    ({"action": "roles.changed", "actor": "admin", "object": "/about",
      "inherit": "blocked"}, "admin blocked inherited roles on /about"),
    ({"action": "group.members", "actor": "admin", "target": "staff",
      "added": ["ann"], "removed": ["bob"]},
     "admin added ann to and removed bob from the group staff"),
    ({"action": "workflow.publish", "actor": "ann", "object": "/news/x",
      "before": "private", "after": "published"},
     "ann published /news/x (private → published)"),
    ({"action": "workflow.go_live", "actor": "ann", "object": "/x",
      "transition": "Go live"}, "ann took “Go live” on /x"),
    ({"action": "token.created", "actor": "ann", "title": "backup"},
     "ann created the API token “backup”"),
    ({"action": "addon.thing", "actor": None, "size": 3}, "Someone: addon.thing (size 3)"),
])
def test_entries_read_as_sentences(entry, text):
    from cupola.admin.audit import describe
    assert describe(entry) == text
