"""<object>/@@sharing: local roles given here, inherited ones, blocking."""

import pytest

from conftest import Site

from . import add_person, browser, last_audit, messages_of, post_form


@pytest.fixture
def folder(app):
    """/team (a private folder) holding /team/plan (a private document)."""
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    add_person(app, "ann")
    with Site(app) as site:
        team = site.add("team", Folder("Team"))
        team.add("plan", Document("Plan", "", "<p>the plan</p>"))
    return "/team"


def share(client, path, **roles):
    """Save the sharing form of *path* with {principal: [roles]}."""
    fields = {"principal": list(roles)}
    fields.update({f"role.{p}": r for p, r in roles.items()})
    return post_form(client, f"{path}/@@sharing", fields)


def roles_on(app, path, principal):
    from cupola.security.localroles import local_roles
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name] if name else obj
        return set(local_roles(obj).get(principal, ()))


def test_search_finds_users_and_groups_to_share_with(app, admin, folder):
    from cupola.security.users import add_group
    with Site(app) as site:
        add_group(site, "annex", "Annex people")
    page = admin.get(f"{folder}/@@sharing", {"q": "ANN"})
    found = [i["value"] for i in page.html.select("input[name=principal]")]
    assert found == ["ann", "annex"]


def test_editor_on_a_folder_may_view_its_private_content(app, admin, folder):
    ann = browser(app, "ann")
    ann.get("/team/plan", status=403)
    response = share(admin, folder, ann=["Editor"])
    assert "Saved the sharing settings." in messages_of(response.follow())
    assert roles_on(app, folder, "ann") == {"Editor"}
    assert "the plan" in ann.get("/team/plan")
    entry = last_audit(app, "roles.changed")
    assert (entry["target"], entry["object"], entry["before"], entry["after"]) == (
        "ann", "/team", [], ["Editor"])


def test_inherited_roles_are_shown_with_their_source(app, admin, folder):
    share(admin, folder, ann=["Editor"])
    page = admin.get("/team/plan/@@sharing")
    row = next(tr for tr in page.html.select("tbody tr") if "ann" in tr.text)
    assert "inherited" in row.select_one(".inherited").text
    assert "Team" in row.select_one(".inherited")["title"]
    assert not row.select_one("input[value=Editor]").has_attr("checked")
    assert "Team" in page.html.select_one(".sharing-form .meta").text


def test_blocking_inheritance_takes_the_role_away(app, admin, folder):
    share(admin, folder, ann=["Editor"])
    ann = browser(app, "ann")
    assert ann.get("/team/plan").status_int == 200
    post_form(admin, "/team/plan/@@sharing", {"block": "1"})
    ann.get("/team/plan", status=403)
    assert last_audit(app, "roles.changed")["inherit"] == "blocked"
    post_form(admin, "/team/plan/@@sharing", {})
    assert ann.get("/team/plan").status_int == 200


def test_removing_a_role(app, admin, folder):
    share(admin, folder, ann=["Editor", "Reviewer"])
    share(admin, folder, ann=[])
    assert roles_on(app, folder, "ann") == set()
    browser(app, "ann").get("/team/plan", status=403)


def test_owner_is_kept_and_not_editable(app, admin, folder):
    from cupola.content.document import Document
    with Site(app) as site:
        doc = Document("Mine", "", "<p>x</p>")
        doc.creator = "ann"
        site["team"].add("mine", doc)
    page = admin.get("/team/mine/@@sharing")
    assert "Owner" in page.html.select_one("tbody tr .badge").text
    assert not page.html.select("input[value=Owner]")
    share(admin, "/team/mine", ann=["Reviewer"])
    assert roles_on(app, "/team/mine", "ann") == {"Owner", "Reviewer"}


def test_unknown_principals_and_roles_are_ignored(app, admin, folder):
    response = share(admin, folder, ghost=["Editor"], ann=["Manager", "Owner"])
    assert "Nothing to save" in " ".join(messages_of(response.follow()))
    assert roles_on(app, folder, "ghost") == set()
    assert roles_on(app, folder, "ann") == set()


def test_site_administrators_share_but_editors_do_not(app, folder):
    add_person(app, "sa", roles=("Site Administrator",))
    browser(app, "sa").get(f"{folder}/@@sharing", status=200)
    add_person(app, "ed", roles=("Editor",))
    browser(app, "ed").get(f"{folder}/@@sharing", status=403)
