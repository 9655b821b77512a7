"""@@groups, @@add-group, @@edit-group, @@delete-group."""

from conftest import Site

from . import add_person, browser, last_audit, messages_of, post_form


def group(app, group_id):
    from cupola.security.users import groups_folder
    with Site(app) as site:
        found = groups_folder(site).get(group_id)
        return None if found is None else {
            "title": found.title, "roles": tuple(found.roles),
            "members": set(found.members)}


def make_group(app, group_id, roles=(), members=()):
    from cupola.security.users import add_group, add_member
    with Site(app) as site:
        add_group(site, group_id, group_id.title(), roles)
        for member in members:
            add_member(site, group_id, member)


def test_list_shows_members_count_and_roles(app, admin):
    add_person(app, "ann")
    make_group(app, "editors", roles=("Editor",), members=("ann", "admin"))
    row = admin.get("/@@groups").html.select_one("tbody tr")
    text = row.get_text(" ", strip=True)
    assert "Editors" in text and "2" in text and "Editor" in text


def test_add_group_then_members_next(app, admin):
    response = post_form(admin, "/@@add-group", {
        "id": "staff", "title": "Staff", "description": "Everyone",
        "roles": ["Contributor"]})
    assert response.location.endswith("/@@edit-group?id=staff")
    assert "Now add its members" in " ".join(messages_of(response.follow()))
    assert group(app, "staff")["roles"] == ("Contributor",)
    assert last_audit(app, "group.created")["target"] == "staff"


def test_group_id_must_be_valid_and_free(app, admin):
    add_person(app, "ann")
    page = post_form(admin, "/@@add-group", {"id": "ann", "title": "Kept"})
    assert "is taken" in page.html.select_one("#id-error").text
    assert page.html.select_one("#title")["value"] == "Kept"
    page = post_form(admin, "/@@add-group", {"id": "two words"})
    assert page.html.select_one("#id-error")
    assert group(app, "two words") is None


def test_members_are_added_by_login_or_group_id_and_removed_by_ticking(app, admin):
    add_person(app, "ann")
    add_person(app, "bob")
    make_group(app, "staff", members=("bob",))
    make_group(app, "editors")
    response = post_form(admin, "/@@edit-group?id=staff", {
        "id": "staff", "title": "Staff", "add": "ann, editors", "remove": ["bob"]})
    assert response.status_int == 303
    assert group(app, "staff")["members"] == {"ann", "editors"}
    entry = last_audit(app, "group.members")
    assert (entry["added"], entry["removed"]) == (["ann", "editors"], ["bob"])


def test_unknown_names_and_loops_are_refused_and_nothing_changes(app, admin):
    make_group(app, "editors")
    make_group(app, "staff", members=("editors",))
    page = post_form(admin, "/@@edit-group?id=editors", {
        "id": "editors", "title": "Renamed", "add": "staff ghost"})
    assert page.status_int == 200
    error = page.html.select_one("#add-error").text
    assert "would make a loop" in error and "no user or group “ghost”" in error
    assert page.html.select_one("#add")["value"] == "staff ghost"
    assert group(app, "editors") == {"title": "Editors", "roles": (),
                                     "members": set()}
    page = post_form(admin, "/@@edit-group?id=editors", {
        "id": "editors", "title": "Editors", "add": "editors"})
    assert "would make a loop" in page.html.select_one("#add-error").text


def test_roles_of_nested_groups_reach_their_members(app, admin):
    """ann is in 'writers', which is in 'editors' (Editor): she may edit."""
    from cupola.content.document import Document
    add_person(app, "ann")
    make_group(app, "editors", roles=("Editor",))
    make_group(app, "writers", members=("ann",))
    with Site(app) as site:
        site.add("draft", Document("Draft", "", "<p>secret</p>"))
    ann = browser(app, "ann")
    ann.get("/draft", status=403)
    post_form(admin, "/@@edit-group?id=editors", {
        "id": "editors", "title": "Editors", "roles": ["Editor"], "add": "writers"})
    assert "secret" in ann.get("/draft")


def test_role_changes_are_audited(app, admin):
    make_group(app, "staff")
    post_form(admin, "/@@edit-group?id=staff", {
        "id": "staff", "title": "Staff", "roles": ["Reviewer"]})
    entry = last_audit(app, "roles.changed")
    assert (entry["target"], entry["before"], entry["after"]) == ("staff", [], ["Reviewer"])


def test_a_site_administrator_cannot_touch_a_group_of_managers(app):
    add_person(app, "sa", roles=("Site Administrator",))
    make_group(app, "bosses", roles=("Manager",))
    make_group(app, "inner")
    with Site(app) as site:
        from cupola.security.users import add_member
        add_member(site, "bosses", "inner")  # members of inner are Managers too
    client = browser(app, "sa")
    client.get("/@@edit-group?id=bosses", status=403)
    client.get("/@@edit-group?id=inner", status=403)
    client.get("/@@delete-group?id=inner", status=403)
    make_group(app, "plain")
    page = post_form(client, "/@@edit-group?id=plain", {
        "id": "plain", "title": "Plain", "roles": ["Manager"]})
    assert "Only a Manager" in page.text
    assert group(app, "plain")["roles"] == ()


def test_delete_asks_first_naming_the_group(app, admin):
    add_person(app, "ann")
    make_group(app, "staff", members=("ann",))
    page = admin.get("/@@delete-group?id=staff")
    assert "Delete the group Staff?" in page.html.select_one("h1").text
    response = post_form(admin, "/@@delete-group", {"id": "staff"}, page)
    assert "Deleted the group “staff”" in " ".join(messages_of(response.follow()))
    assert group(app, "staff") is None
    with Site(app) as site:
        assert "staff" not in site.users["ann"].groups
    assert last_audit(app, "group.deleted")["target"] == "staff"
