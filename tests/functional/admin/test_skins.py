"""@@skins: the through-the-web custom layer (customise, edit, refuse, revert, undo)."""

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from

from . import file_admin, file_app  # noqa: F401  (the app and admin fixtures)
from . import add_person, browser, is_login_redirect, last_audit, messages_of, post_form

MARK = "<p id=\"custom-mark\">Overridden through the web</p>"


def file_source(app, name):
    with open(app.registry.skins.find(name), encoding="utf-8") as f:
        return f.read()


def customise(client, name):
    return post_form(client, "/@@skins-customise", {"name": name}, page=client.get("/@@skins"))


def save(client, name, source):
    page = client.get(f"/@@skins-edit?name={name}")
    return post_form(client, "/@@skins-edit", {"name": name, "source": source}, page=page)


def with_mark(app, name="document_view.pt"):
    source = file_source(app, name)
    return source.replace('<metal:main fill-slot="main">',
                          '<metal:main fill-slot="main">' + MARK, 1) \
        if '<metal:main fill-slot="main">' in source else source.replace(
            "</article>", MARK + "</article>", 1)


def stored(app):
    with Site(app) as site:
        layer = getattr(site, "custom_templates", None) or {}
        return {name: t.source for name, t in layer.items()}


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, app):
        assert is_login_redirect(TestApp(app).get("/@@skins"))

    @pytest.mark.parametrize("role", ["Site Administrator", "Editor"])
    def test_only_managers_may_use_it(self, app, role):
        add_person(app, "sam", roles=(role,))
        client = browser(app, "sam")
        assert client.get("/@@skins", status=403)
        assert client.get("/@@skins-edit?name=document_view.pt", status=403)
        token = csrf_from(client.get("/@@account"))
        client.post("/@@skins-customise", {"_csrf": token, "name": "document_view.pt"},
                    status=403)
        client.post("/@@skins-edit", {"_csrf": token, "name": "document_view.pt",
                                      "source": "<p>x</p>"}, status=403)
        assert stored(app) == {}
        tabs = client.get("/@@account").html.select(".admin-tabs a")
        assert "Templates" not in [a.get_text(strip=True) for a in tabs]

    def test_the_tab_shows_for_managers(self, app, admin):
        tabs = admin.get("/@@users").html.select(".admin-tabs a")
        assert "Templates" in [a.get_text(strip=True) for a in tabs]


class TestList:
    def test_lists_the_templates_of_every_layer(self, app, admin):
        page = admin.get("/@@skins")
        names = [c.get_text(strip=True) for c in page.html.select(".skins-table tbody th code")]
        assert {"document_view.pt", "main_template.pt", "users.pt", "skins.pt"} <= set(names)
        row = next(r for r in page.html.select(".skins-table tbody tr")
                   if r.th.get_text(strip=True) == "users.pt")
        assert "admin" in row.get_text()

    def test_filter(self, app, admin):
        page = admin.get("/@@skins?q=feed")
        names = [c.get_text(strip=True) for c in page.html.select(".skins-table tbody th code")]
        assert names == ["feed_atom.pt", "feed_rss.pt"]


class TestCustomise:
    def test_copies_the_file_source_and_audits(self, app, admin):
        response = customise(admin, "document_view.pt")
        assert response.status_int == 303
        assert "skins-edit?name=document_view.pt" in response.location
        page = response.follow()
        assert messages_of(page)[0].startswith("Copied document_view.pt into the custom layer")
        assert page.html.select_one("#source").text == file_source(app, "document_view.pt")
        assert stored(app) == {"document_view.pt": file_source(app, "document_view.pt")}
        entry = last_audit(app, "template.customised")
        assert (entry["target"], entry["actor"], entry["layer"]) == (
            "document_view.pt", "admin", "public")
        assert app.db.undoLog(0, 1)[0]["description"] == \
            "Customised the template document_view.pt"

    def test_a_name_outside_the_layers_is_refused(self, app, admin):
        for name in ("../../pyproject.toml", "/etc/passwd", "nothing.pt", ""):
            response = post_form(admin, "/@@skins-customise", {"name": name},
                                 page=admin.get("/@@skins"), status=400)
            assert "no template" in response.text.lower()
            admin.get(f"/@@skins-edit?name={name}", status=400)
        assert stored(app) == {}


class TestEdit:
    def test_a_saved_template_changes_the_page_at_once(self, app, admin):
        assert "custom-mark" not in TestApp(app).get("/welcome").text
        customise(admin, "document_view.pt")
        response = save(admin, "document_view.pt", with_mark(app))
        assert response.status_int == 303
        assert messages_of(response.follow()) == ["Saved document_view.pt: the site uses it now."]
        public = TestApp(app).get("/welcome")
        assert public.html.select_one("#custom-mark").text == "Overridden through the web"
        assert last_audit(app, "template.changed")["target"] == "document_view.pt"

    def test_saving_a_file_version_customises_it(self, app, admin):
        response = save(admin, "document_view.pt", with_mark(app))
        assert response.status_int == 303
        assert "custom-mark" in stored(app)["document_view.pt"]
        assert last_audit(app, "template.customised")["target"] == "document_view.pt"

    def test_a_template_that_does_not_compile_is_refused_with_its_place(self, app, admin):
        customise(admin, "document_view.pt")
        before = stored(app)
        broken = "<div>\n  <p tal:content=\"context.title(\">x</p>\n</div>"
        page = save(admin, "document_view.pt", broken)
        assert page.status_int == 200
        error = page.html.select_one(".compile-error").get_text(" ", strip=True)
        assert "Line 2, column" in error and "was never closed" in error
        assert page.html.select_one("#source").text == broken
        assert page.html.select_one("#source")["aria-invalid"] == "true"
        assert page.html.select_one("#source")["data-error-line"] == "2"
        assert stored(app) == before
        assert "custom-mark" not in TestApp(app).get("/welcome").text

    @pytest.mark.parametrize("source, words", [
        ("<p tal:bogus=\"x\">a</p>", "Bad attribute"),
        ("<p>ok</p></div>", "Unexpected end tag"),
        ("<p tal:repeat=\"x\">a</p>", "Invalid"),
        ("   ", "empty"),
    ])
    def test_each_kind_of_error_is_named(self, app, admin, source, words):
        page = save(admin, "site_footer.pt", source)
        assert page.status_int == 200
        assert words in page.html.select_one(".compile-error").get_text(" ")
        assert stored(app) == {}

    def test_the_editor_never_uses_the_custom_layer(self, app, admin):
        """A broken main template must not lock the manager out of reverting it."""
        with Site(app) as site:
            from cupola.customlayer import get_custom_layer, CustomTemplate
            get_custom_layer(site)["main_template.pt"] = CustomTemplate(
                "main_template.pt", "<html metal:define-macro=\"page\">${nothing_here}</html>")
        assert TestApp(app).get("/welcome", status=500)
        page = admin.get("/@@skins-edit?name=main_template.pt")
        assert page.html.select_one(".badge-custom")
        revert = post_form(admin, "/@@skins-revert", {"name": "main_template.pt"}, page=page)
        assert revert.status_int == 303
        assert TestApp(app).get("/welcome").status_int == 200


class TestRevert:
    def test_revert_brings_the_file_template_back_and_undo_returns_it(self, app, admin):
        save(admin, "document_view.pt", with_mark(app))
        page = admin.get("/@@skins")
        response = post_form(admin, "/@@skins-revert", {"name": "document_view.pt"}, page=page)
        assert messages_of(response.follow())[0].startswith("Reverted document_view.pt")
        assert stored(app) == {}
        assert "custom-mark" not in TestApp(app).get("/welcome").text
        assert last_audit(app, "template.reverted")["target"] == "document_view.pt"
        undo_page = admin.get("/@@undo")
        row = next(r for r in undo_page.html.select(".undo-row")
                   if "Reverted the template document_view.pt" in r.get_text())
        tid = row.select_one("input[name=tid]")["value"]
        admin.post("/@@undo", [("_csrf", csrf_from(undo_page)), ("tid", tid)])
        assert "custom-mark" in TestApp(app).get("/welcome").text

    def test_reverting_what_is_not_customised_says_so(self, app, admin):
        response = post_form(admin, "/@@skins-revert", {"name": "document_view.pt"},
                             page=admin.get("/@@skins"))
        assert messages_of(response.follow()) == ["document_view.pt is not customised."]


class TestOtherProcesses:
    def test_a_second_application_on_the_same_database_sees_changes_at_once(self, app, admin):
        """Each application has its own compiled-template cache, keyed by serial."""
        from cupola.publisher import Application
        from cupola.wsgi import configure
        other = Application(configure({"zodb_uri": "memory://"}).registry, app.db, {})
        visitor = TestApp(other)
        save(admin, "document_view.pt", with_mark(app))
        assert "custom-mark" in visitor.get("/welcome").text  # compiled and cached there
        save(admin, "document_view.pt", with_mark(app).replace("through the web", "again"))
        assert "Overridden again" in visitor.get("/welcome").text
        post_form(admin, "/@@skins-revert", {"name": "document_view.pt"},
                  page=admin.get("/@@skins"))
        assert "custom-mark" not in visitor.get("/welcome").text


class TestEveryTemplateKind:
    @pytest.mark.parametrize("name, old, new, path, css", [
        ("widgets.pt", '<div metal:define-macro="input" class="field field-${widget.name}">',
         '<div metal:define-macro="input" class="field field-${widget.name}" data-custom="1">',
         "/welcome/@@edit", "div.field-title[data-custom]"),
        ("admin_macros.pt", 'class="admin-tabs"', 'class="admin-tabs" data-custom="1"',
         "/@@users", "nav.admin-tabs[data-custom]"),
        ("site_header.pt", 'class="site-header"', 'class="site-header" data-custom="1"',
         "/welcome", "header.site-header[data-custom]"),
    ])
    def test_macros_and_fragments_are_overridden_too(self, app, admin, name, old, new,
                                                    path, css):
        source = file_source(app, name)
        assert old in source
        assert save(admin, name, source.replace(old, new, 1)).status_int == 303
        assert admin.get(path).html.select_one(css) is not None


class TestUndoLog:
    def test_the_undo_page_names_the_change_and_what_it_touched(self, app, admin):
        customise(admin, "document_view.pt")
        page = admin.get("/@@undo")
        row = next(r for r in page.html.select(".undo-row")
                   if "Customised the template document_view.pt" in r.get_text())
        tid = row.select_one("input[name=tid]")["value"]
        details = admin.get(f"/@@undo?show={tid}")
        shown = details.html.select_one(f"#t-{tid}").get_text(" ", strip=True)
        assert "custom templates" in shown


class TestChangesFromTheFile:
    def test_the_editor_shows_what_differs_from_the_file(self, app, admin):
        save(admin, "document_view.pt", with_mark(app))
        page = admin.get("/@@skins-edit?name=document_view.pt")
        panel = page.html.select_one(".template-changes")
        assert "(2 lines)" in panel.summary.get_text(" ", strip=True)  # one out, one in
        added = [s.get_text() for s in panel.select(".diff-ins")]
        removed = [s.get_text() for s in panel.select(".diff-del")]
        assert len(added) == len(removed) == 1
        assert "custom-mark" in added[0] and "custom-mark" not in removed[0]
        assert removed[0] in file_source(app, "document_view.pt").split("\n")

    def test_a_fresh_copy_has_no_changes(self, app, admin):
        page = customise(admin, "document_view.pt").follow()
        panel = page.html.select_one(".template-changes")
        assert "(0 lines)" in panel.summary.get_text(" ", strip=True)
        assert "the same as the file" in panel.get_text()
