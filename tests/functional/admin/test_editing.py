"""++add++Type, @@edit and @@delete: forms generated from the type's schema."""

import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from zope import schema
from zope.interface import implementer

from conftest import Site, build_app, csrf_from, publish

from cupola.content.folder import Folder
from cupola.content.item import Item
from cupola.interfaces import IBasicSchema, IItem

from . import add_person, browser, is_login_redirect, last_audit, member, messages_of


# -- a type with one field of every kind, in a container that takes it -------

class IGadgetSchema(IBasicSchema):
    count = schema.Int(title="Count", required=False, min=0, max=10)
    ratio = schema.Float(title="Ratio", required=False)
    price = schema.Decimal(title="Price", required=False)
    day = schema.Date(title="Day", required=False)
    colour = schema.Choice(title="Colour", values=("red", "green", "blue"),
                           required=False)
    fit = schema.Choice(title="Fit", values=("xs", "s", "m", "l", "xl"),
                        default="m")
    extras = schema.Set(title="Extras", required=False,
                        value_type=schema.Choice(values=("wifi", "gps")))
    active = schema.Bool(title="Active", required=False, default=False)
    notes = schema.Text(title="Notes", required=False, max_length=20)
    aliases = schema.List(title="Aliases", required=False,
                          value_type=schema.TextLine(max_length=10))


@implementer(IItem)
class Gadget(Item):
    type_name = "Gadget"


class Shelf(Folder):
    type_name = "Shelf"


class IRestrictedSchema(IBasicSchema):
    pass


def gadgets(config):
    config.add_content_type("Gadget", Gadget, IGadgetSchema, title="Gadget",
                            add_permission="cupola.AddDocument", allowed_children=())
    config.add_content_type("Shelf", Shelf, IBasicSchema, title="Shelf",
                            add_permission="cupola.AddFolder",
                            allowed_children=("Gadget", "Secret"))
    config.add_content_type("Secret", Gadget, IRestrictedSchema, title="Secret",
                            add_permission="cupola.ManageSite", allowed_children=())


@pytest.fixture
def app():
    application = build_app(gadgets)
    with Site(application) as site:
        site.add("shelf", Shelf())
    yield application
    application.db.close()


def obj_at(site, path):
    obj = site
    for name in path.strip("/").split("/"):
        if name:
            obj = obj[name]
    return obj


def read(app, path, *names):
    with Site(app) as site:
        obj = obj_at(site, path)
        values = tuple(getattr(obj, n) for n in names)
    return values[0] if len(names) == 1 else values


def exists(app, path):
    with Site(app) as site:
        try:
            obj_at(site, path)
        except KeyError:
            return False
        return True


def submit(client, url, fields, action="save", files=None, page=None, **kwargs):
    """POST the form at *url* with *fields* (lists for repeated fields)."""
    page = page if page is not None else client.get(url)
    pairs = [("_csrf", csrf_from(page)), ("_action", action)]
    for name, value in fields.items():
        for v in (value if isinstance(value, (list, tuple)) else [value]):
            pairs.append((name, v))
    if files:
        return client.post(url, pairs, upload_files=files, **kwargs)
    return client.post(url, pairs, **kwargs)


def png(width=3, height=2):
    from PIL import Image as PILImage
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), "red").save(buf, "PNG")
    return buf.getvalue()


# -- the add form ---------------------------------------------------------------

class TestAddForm:
    def test_shows_the_fields_of_the_schema(self, admin):
        page = admin.get("/news/++add++Document")
        html = page.html
        assert html.select_one("h1").text == "Add Page"
        title = html.select_one("input#field-title")
        assert (title["name"], title.get("required"), title["maxlength"]) == ("title", "required", "300")
        assert html.select_one("textarea#field-description")["name"] == "description"
        body = html.select_one("textarea#field-text")
        assert "data-richtext" in body.attrs and "richtext" in body["class"]
        assert html.select_one("input#field-subjects")["type"] == "text"
        assert "commas" in html.select_one("#field-subjects-hint").text
        section = html.select_one("details.form-section")
        assert section.select_one("summary").text == "Publishing"
        assert "open" not in section.attrs  # collapsed
        assert [i["type"] for i in section.select("input")] == ["datetime-local"] * 2
        assert html.select_one("input#field-name")["name"] == "_name"
        assert html.select_one(".url-prefix").text == "/news/"
        buttons = [(b["value"], b.text) for b in html.select(".save-bar button")]
        assert buttons == [("save", "Save"), ("publish", "Save & publish")]
        assert html.select_one(".save-bar a")["href"] == "http://localhost/news"
        assert html.select_one("form.content-form").get("enctype") is None
        assert "edit.js" in html.select_one("script[type=module]")["src"]

    def test_save_creates_a_private_page_and_says_so(self, app, admin):
        response = submit(admin, "/news/++add++Document", {
            "title": "Big news", "description": "Short", "subjects": " b, a , B,, c",
            "text": "<p>Hello <script>alert(1)</script><b>world</b></p>"})
        assert response.status_int == 303
        assert response.location == "http://localhost/news/big-news"
        page = response.follow()
        assert messages_of(page) == ["Page “Big news” created."]
        assert "Hello" in page.html.select_one(".prose").text
        title, text, subjects, state, creator = read(
            app, "/news/big-news", "title", "text", "subjects", "workflow_state", "creator")
        assert (title, subjects, state, creator) == ("Big news", ("b", "a", "c"), "private", "admin")
        assert "<script>" not in text and "<b>world</b>" in text

    def test_the_catalog_finds_what_was_added(self, app, admin):
        submit(admin, "/news/++add++Document", {"title": "Findable thing"})
        with Site(app) as site:
            found = [b.title for b in site.catalog.search(None, text="findable",
                                                          unrestricted=True)]
        assert found == ["Findable thing"]

    def test_save_and_publish_publishes_in_one_go(self, app, admin):
        response = submit(admin, "/news/++add++Document",
                          {"title": "Ready", "text": "<p>now</p>"}, action="publish")
        assert messages_of(response.follow()) == ["Page “Ready” created and published."]
        assert read(app, "/news/ready", "workflow_state") == "published"
        assert "now" in browser(app).get("/news/ready")
        entry = last_audit(app, "workflow.publish")
        assert (entry["object"], entry["after"]) == ("/news/ready", "published")

    def test_a_chosen_name_is_used(self, app, admin):
        response = submit(admin, "/news/++add++Document", {"title": "T", "_name": "my-page"})
        assert response.location.endswith("/news/my-page")

    def test_the_name_is_made_free_from_the_title(self, app, admin):
        submit(admin, "/news/++add++Document", {"title": "Same"})
        response = submit(admin, "/news/++add++Document", {"title": "Same"})
        assert response.location.endswith("/news/same-2")

    def test_errors_are_shown_next_to_the_fields_and_nothing_is_stored(self, app, admin):
        before = app.db.lastTransaction()
        page = submit(admin, "/news/++add++Document", {
            "title": "", "text": "<p>keep me</p>", "subjects": "x, y",
            "_name": "bad/name", "description": "kept too"})
        assert page.status_int == 200
        assert app.db.lastTransaction() == before
        title = page.html.select_one("#field-title")
        assert title["aria-invalid"] == "true"
        assert title["aria-describedby"] == "field-title-error"
        assert page.html.select_one("#field-title-error").text == "This field is required."
        assert page.html.select_one("#field-name-error").text == "A name cannot contain slashes."
        assert page.html.select_one("#field-name")["value"] == "bad/name"
        assert page.html.select_one("#field-text").text == "<p>keep me</p>"
        assert page.html.select_one("#field-subjects")["value"] == "x, y"
        assert page.html.select_one("#field-description").text == "kept too"
        summary = [a["href"] for a in page.html.select(".error-summary a")]
        assert summary == ["#field-title", "#field-name"]

    def test_a_taken_name_is_refused(self, app, admin):
        page = submit(admin, "/++add++Document", {"title": "T", "_name": "news"})
        assert "already an item called 'news'" in page.html.select_one("#field-name-error").text

    def test_expiry_before_publication_is_refused(self, app, admin):
        page = submit(admin, "/news/++add++Document", {
            "title": "T", "effective": "2030-01-02T10:00", "expires": "2030-01-01T10:00"})
        assert page.status_int == 200
        assert "after “Publish from”" in page.html.select_one("#field-expires-error").text
        assert "open" in page.html.select_one("details.form-section").attrs
        assert not exists(app, "/news/t")

    def test_publication_dates_are_stored_in_utc_from_the_site_time_zone(self, app, admin):
        with Site(app) as site:
            site.settings["timezone"] = "Europe/Paris"
        submit(admin, "/news/++add++Document", {
            "title": "Later", "effective": "2030-01-02T10:00"})
        effective = read(app, "/news/later", "effective")
        assert effective == datetime(2030, 1, 2, 9, 0, tzinfo=timezone.utc)
        page = admin.get("/news/later/@@edit")
        assert page.html.select_one("#field-effective")["value"] == "2030-01-02T10:00"
        assert "Europe/Paris" in page.html.select_one("#field-effective-hint").text
        assert "open" in page.html.select_one("details.form-section").attrs

    def test_a_missing_csrf_token_changes_nothing(self, app, admin):
        before = app.db.lastTransaction()
        admin.post("/news/++add++Document", {"title": "Forged"}, status=403)
        assert app.db.lastTransaction() == before

    def test_unknown_types_and_types_not_allowed_here_are_not_found(self, admin):
        admin.get("/news/++add++Nope", status=404)
        admin.get("/news/++add++Site", status=404)       # not addable
        admin.get("/news/++add++Gadget", status=404)     # not allowed in a Folder
        admin.get("/news/++add++", status=404)
        admin.get("/welcome/++add++Document", status=404)  # not a container

    def test_anonymous_is_asked_to_sign_in_and_a_member_is_refused(self, app):
        assert is_login_redirect(browser(app).get("/news/++add++Document"))
        member(app).get("/news/++add++Document", status=403)

    def test_the_type_add_permission_is_checked(self, app):
        add_person(app, "carl", roles=("Contributor",))
        carl = browser(app, "carl")
        carl.get("/shelf/++add++Gadget", status=200)
        carl.get("/shelf/++add++Secret", status=403)
        before = app.db.lastTransaction()
        page = carl.get("/shelf/++add++Gadget")
        carl.post("/shelf/++add++Secret", {"_csrf": csrf_from(page), "title": "S"},
                  status=403)
        assert app.db.lastTransaction() == before

    def test_a_contributor_gets_no_save_and_publish(self, app):
        add_person(app, "carl", roles=("Contributor",))
        carl = browser(app, "carl")
        page = carl.get("/news/++add++Document")
        assert [b["value"] for b in page.html.select(".save-bar button")] == ["save"]
        response = submit(carl, "/news/++add++Document", {"title": "Mine"}, action="publish",
                          page=page)
        assert read(app, "/news/mine", "workflow_state") == "private"
        messages = messages_of(response.follow())
        assert messages[0] == "Page “Mine” created."
        assert messages[1].startswith("It was not published:")

    def test_cancel_goes_back_without_changes(self, app, admin):
        page = admin.get("/news/++add++Document")
        before = app.db.lastTransaction()
        cancel = page.html.select_one(".save-bar a.button")
        assert cancel.text == "Cancel"
        admin.get(cancel["href"])
        assert app.db.lastTransaction() == before


# -- files and images -------------------------------------------------------------

class TestUploads:
    def test_a_file_form_is_multipart_and_shows_the_limit(self, admin):
        page = admin.get("/news/++add++File")
        form = page.html.select_one("form.content-form")
        assert form["enctype"] == "multipart/form-data"
        field = page.html.select_one("input#field-file")
        assert (field["type"], field.get("required")) == ("file", "required")
        assert field.get("accept") is None
        assert field["data-max-size"] == str(256 << 20)
        assert "Up to 256 MB." in page.html.select_one("#field-file-hint").text

    def test_the_limit_is_the_max_request_body_setting(self):
        application = build_app(max_request_body=str(5 << 20))
        try:
            from webtest import TestApp
            from conftest import sign_in
            client = TestApp(application)
            sign_in(client)
            page = client.get("/news/++add++File")
            assert "Up to 5 MB." in page.html.select_one("#field-file-hint").text
            assert page.html.select_one("#field-file")["data-max-size"] == str(5 << 20)
        finally:
            application.db.close()

    def test_adding_a_file_keeps_its_name_type_and_bytes(self, app, admin):
        response = submit(admin, "/news/++add++File", {"title": ""},
                          files=[("file", "report 2024.pdf", b"%PDF-1.4 data", "application/pdf")])
        assert response.status_int == 303
        assert messages_of(response.follow()) == ["File “report 2024.pdf” created."]
        with Site(app) as site:
            obj = site["news"]["report-2024pdf"]
            with obj.open() as f:
                data = f.read()
            assert (obj.title, obj.filename, obj.content_type, obj.size, data) == (
                "report 2024.pdf", "report 2024.pdf", "application/pdf", 13, b"%PDF-1.4 data")

    def test_a_file_is_required_to_add_one(self, app, admin):
        page = submit(admin, "/news/++add++File", {"title": "No file"},
                      files=[("file", "", b"")])
        assert page.status_int == 200
        assert page.html.select_one("#field-file-error").text == "This field is required."
        assert not exists(app, "/news/no-file")

    def test_an_image_form_accepts_images(self, admin):
        page = admin.get("/news/++add++Image")
        assert page.html.select_one("#field-file")["accept"] == "image/*"

    def test_adding_an_image_reads_its_size(self, app, admin):
        submit(admin, "/news/++add++Image", {"title": "Dot"},
               files=[("file", "dot.png", png(3, 2), "image/png")])
        assert read(app, "/news/dot", "width", "height", "content_type") == (3, 2, "image/png")

    def test_an_image_that_is_not_one_is_refused(self, app, admin):
        before = app.db.lastTransaction()
        page = submit(admin, "/news/++add++Image", {"title": "Fake"},
                      files=[("file", "fake.png", b"not an image", "image/png")])
        assert page.status_int == 200
        assert page.html.select_one("#field-file-error").text == \
            "This file is not an image Cupola can read."
        assert page.html.select_one("#field-title")["value"] == "Fake"
        assert app.db.lastTransaction() == before

    def test_editing_keeps_the_file_unless_a_new_one_is_chosen(self, app, admin):
        submit(admin, "/news/++add++File", {"title": "Doc"},
               files=[("file", "a.txt", b"first", "text/plain")])
        page = admin.get("/news/doc/@@edit")
        current = page.html.select_one(".current-file").get_text(" ", strip=True)
        assert current == "Current file: a.txt (5 bytes)"
        assert page.html.select_one("#field-file").get("required") is None
        assert "replace" in page.html.select_one("#field-file-hint").text
        submit(admin, "/news/doc/@@edit", {"title": "Doc renamed"}, page=page,
               files=[("file", "", b"")])
        assert read(app, "/news/doc", "title", "filename", "size") == ("Doc renamed", "a.txt", 5)
        submit(admin, "/news/doc/@@edit", {"title": "Doc renamed"},
               files=[("file", "b.txt", b"second!", "text/plain")])
        assert read(app, "/news/doc", "filename", "size") == ("b.txt", 7)

    def test_a_script_upload_gets_json_instead_of_a_redirect(self, app, admin):
        page = admin.get("/news/++add++File")
        response = admin.post(
            "/news/++add++File",
            [("_csrf", csrf_from(page)), ("_action", "save"), ("title", "Via XHR")],
            upload_files=[("file", "x.bin", b"123")],
            headers={"X-Cupola-Upload": "1"})
        assert response.status_int == 200 and response.content_type == "application/json"
        assert json.loads(response.text) == {"location": "http://localhost/news/via-xhr"}
        assert "cupola_messages" in response.headers["Set-Cookie"]
        assert messages_of(admin.get("/news/via-xhr")) == ["File “Via XHR” created."]

    def test_a_body_over_the_limit_is_refused_before_the_view(self):
        application = build_app(max_request_body="1000")
        try:
            from webtest import TestApp
            from conftest import sign_in
            client = TestApp(application)
            sign_in(client)
            page = client.get("/news/++add++File")
            before = application.db.lastTransaction()
            client.post("/news/++add++File", [("_csrf", csrf_from(page)), ("title", "Big")],
                        upload_files=[("file", "big.bin", b"x" * 5000)], status=413)
            assert application.db.lastTransaction() == before
        finally:
            application.db.close()


# -- the edit form ----------------------------------------------------------------

@pytest.fixture
def doc(app):
    from cupola.content.document import Document
    with Site(app) as site:
        site["news"].add("story", Document("Story", "Summary", "<p>Once</p>"))
        site["news"]["story"].subjects = ("one", "two")
    return "/news/story"


class TestEditForm:
    def test_shows_the_stored_values(self, admin, doc):
        page = admin.get(f"{doc}/@@edit")
        html = page.html
        assert html.select_one("h1").text == "Edit Page"
        assert html.select_one("#field-title")["value"] == "Story"
        assert html.select_one("#field-description").text == "Summary"
        assert html.select_one("#field-text").text == "<p>Once</p>"
        assert html.select_one("#field-subjects")["value"] == "one, two"
        assert html.select_one("#field-name")["value"] == "story"
        assert html.select_one("#field-comment")["name"] == "_comment"
        assert html.select_one(".save-bar a")["href"] == "http://localhost/news/story"

    def test_save_changes_the_object_through_operations(self, app, admin, doc):
        from cupola.interfaces import IObjectModified
        seen = []
        app.registry.registerHandler(lambda obj, event: seen.append(event.fields),
                                     (IItem, IObjectModified))
        response = submit(admin, f"{doc}/@@edit", {
            "title": "Story 2", "description": "Summary", "text": "<p>Once\r\nmore</p>",
            "subjects": "two, three", "_name": "story", "_comment": "Better title"})
        assert response.location == "http://localhost/news/story"
        assert messages_of(response.follow()) == ["Changes saved."]
        assert read(app, doc, "title", "text", "subjects") == (
            "Story 2", "<p>Once\nmore</p>", ("two", "three"))
        assert sorted(seen[-1]) == ["subjects", "text", "title"]
        with Site(app) as site:
            assert [b.title for b in site.catalog.search(None, text="story",
                                                         unrestricted=True)] == ["Story 2"]

    def test_nothing_changed_says_so(self, app, admin, doc):
        page = admin.get(f"{doc}/@@edit")
        fields = {i["name"]: i.get("value", "") for i in page.html.select(
            "form.content-form input") if i["name"] not in ("_csrf",)}
        fields["description"] = page.html.select_one("#field-description").text
        fields["text"] = page.html.select_one("#field-text").text
        before = app.db.lastTransaction()
        response = submit(admin, f"{doc}/@@edit", fields, page=page)
        assert messages_of(response.follow()) == ["Nothing to save: no field was changed."]
        assert app.db.lastTransaction() == before

    def test_errors_keep_the_entered_values_and_store_nothing(self, app, admin, doc):
        before = app.db.lastTransaction()
        page = submit(admin, f"{doc}/@@edit", {"title": "", "text": "<p>new text</p>",
                                               "subjects": "a"})
        assert page.status_int == 200
        assert page.html.select_one("#field-title-error").text == "This field is required."
        assert page.html.select_one("#field-text").text == "<p>new text</p>"
        assert app.db.lastTransaction() == before
        assert read(app, doc, "text") == "<p>Once</p>"

    def test_renaming_changes_the_address(self, app, admin, doc):
        response = submit(admin, f"{doc}/@@edit", {"title": "Story", "_name": "tale"})
        assert response.location == "http://localhost/news/tale"
        assert exists(app, "/news/tale") and not exists(app, doc)

    def test_save_and_publish(self, app, admin, doc):
        page = admin.get(f"{doc}/@@edit")
        assert "publish" in [b["value"] for b in page.html.select(".save-bar button")]
        response = submit(admin, f"{doc}/@@edit", {"title": "Story!"}, action="publish",
                          page=page)
        assert messages_of(response.follow()) == ["Changes saved and published."]
        assert read(app, doc, "workflow_state") == "published"
        page = admin.get(f"{doc}/@@edit")  # published: no publish transition left
        assert [b["value"] for b in page.html.select(".save-bar button")] == ["save"]

    def test_the_site_itself_has_no_name_field(self, admin):
        page = admin.get("/@@edit")
        assert page.html.select_one("#field-title")["value"] == "Cupola"
        assert page.html.select_one("#field-name") is None
        assert page.html.select_one("#field-effective") is None  # never hide the site

    def test_a_member_may_not_edit_and_anonymous_is_asked_to_sign_in(self, app, doc):
        member(app).get(f"{doc}/@@edit", status=403)
        assert is_login_redirect(browser(app).get(f"{doc}/@@edit"))

    def test_an_owner_may_edit_but_not_rename_without_delete_rights(self, app):
        add_person(app, "carl", roles=("Contributor",))
        carl = browser(app, "carl")
        submit(carl, "/news/++add++Document", {"title": "Carls"})
        page = carl.get("/news/carls/@@edit")
        assert page.html.select_one("#field-name") is not None  # owner may delete
        with Site(app) as site:
            publish(site["news"]["carls"])  # published: only editors may change it
        carl.get("/news/carls/@@edit", status=403)

    def test_a_missing_csrf_token_changes_nothing(self, app, admin, doc):
        before = app.db.lastTransaction()
        admin.post(f"{doc}/@@edit", {"title": "Forged"}, status=403)
        assert app.db.lastTransaction() == before


# -- widgets by field type -------------------------------------------------------

class TestWidgets:
    def test_each_kind_of_field_gets_its_input(self, admin):
        html = admin.get("/shelf/++add++Gadget").html
        assert html.select_one("#field-count")["type"] == "number"
        assert (html.select_one("#field-count")["min"], html.select_one("#field-count")["max"],
                html.select_one("#field-count")["step"]) == ("0", "10", "1")
        assert html.select_one("#field-ratio")["step"] == "any"
        assert html.select_one("#field-price")["type"] == "number"
        assert html.select_one("#field-day")["type"] == "date"
        colours = html.select("input[name=colour]")  # 3 options: radio buttons
        assert [(i["type"], i["value"]) for i in colours] == [
            ("radio", ""), ("radio", "red"), ("radio", "green"), ("radio", "blue")]
        fit = html.select_one("select#field-fit")  # 5 options: a select
        assert [o["value"] for o in fit.select("option")] == ["xs", "s", "m", "l", "xl"]
        assert fit.select_one("option[selected]")["value"] == "m"  # the default
        assert [i["value"] for i in html.select("input[name=extras]")] == ["wifi", "gps"]
        assert html.select_one("#field-active")["type"] == "checkbox"
        assert html.select_one("textarea#field-notes")["maxlength"] == "20"
        assert "data-richtext" not in html.select_one("textarea#field-notes").attrs
        assert html.select_one("#field-aliases")["type"] == "text"

    def test_values_are_parsed_into_python(self, app, admin):
        response = submit(admin, "/shelf/++add++Gadget", {
            "title": "G", "count": "7", "ratio": "0.5", "price": "9.99", "day": "2025-03-31",
            "colour": "green", "fit": "xl", "extras": ["gps", "wifi"], "active": "1",
            "notes": "two\r\nlines", "aliases": "a, b, a"})
        assert response.status_int == 303
        values = read(app, "/shelf/g", "count", "ratio", "price", "day", "colour", "fit",
                      "extras", "active", "notes", "aliases")
        assert values == (7, 0.5, Decimal("9.99"), date(2025, 3, 31), "green", "xl",
                          {"gps", "wifi"}, True, "two\nlines", ["a", "b"])
        page = admin.get("/shelf/g/@@edit")
        assert page.html.select_one("input[name=colour][checked]")["value"] == "green"
        assert page.html.select_one("#field-fit option[selected]")["value"] == "xl"
        assert sorted(i["value"] for i in page.html.select("input[name=extras][checked]")) == [
            "gps", "wifi"]
        assert page.html.select_one("#field-active").get("checked") == "checked"
        assert page.html.select_one("#field-day")["value"] == "2025-03-31"
        submit(admin, "/shelf/g/@@edit", {"title": "G", "fit": "xl"}, page=page)
        assert read(app, "/shelf/g", "active", "extras", "count") == (False, set(), None)

    @pytest.mark.parametrize("field, value, message", [
        ("count", "many", "Enter a whole number, like 12."),
        ("count", "11", "Enter a number from 0 to 10."),
        ("ratio", "1,2,3", "Enter a number, like 3.5."),
        ("price", "nan", "Enter a number, like 3.5."),
        ("day", "31/03/2025", "Enter a date like 2025-03-31."),
        ("colour", "purple", "Choose one of the options."),
        ("extras", "radio", "Choose among the options shown."),
        ("notes", "x" * 21, "Use at most 20 characters (this has 21)."),
        ("aliases", "much-too-long-alias", "A tag has at most 10 characters."),
        ("effective", "tomorrow", "Enter a date and time like 2025-03-31 14:30."),
    ])
    def test_what_cannot_be_read_is_an_error_next_to_the_field(
            self, app, admin, field, value, message):
        page = submit(admin, "/shelf/++add++Gadget", {"title": "G", "fit": "m", field: value})
        assert page.status_int == 200
        assert page.html.select_one(f"#field-{field}-error").text == message
        assert not exists(app, "/shelf/g")

    def test_a_required_choice_must_be_chosen(self, app, admin):
        page = submit(admin, "/shelf/++add++Gadget", {"title": "G", "fit": ""})
        assert page.html.select_one("#field-fit-error").text == "This field is required."

    def test_a_link_needs_a_full_address(self, app, admin):
        page = submit(admin, "/news/++add++Link", {"title": "L", "url": "example.org"})
        assert page.html.select_one("#field-url")["type"] == "url"
        assert page.html.select_one("#field-url-error").text == \
            "Enter a full address, starting with https://."
        submit(admin, "/news/++add++Link", {"title": "L", "url": "https://example.org/"})
        assert read(app, "/news/l", "url") == "https://example.org/"

    def test_rich_text_is_sanitised_and_an_empty_editor_is_no_text(self, app, admin, doc):
        submit(admin, f"{doc}/@@edit", {"title": "Story", "text": "<p><br></p>"})
        assert read(app, doc, "text") == ""
        submit(admin, f"{doc}/@@edit", {"title": "Story", "text":
                                        '<p onclick="x()">A <a href="javascript:x()">b</a></p>'})
        assert read(app, doc, "text") == '<p>A <a rel="noopener noreferrer">b</a></p>'

    def test_the_editor_bundle_is_offered_only_when_it_was_built(self, app, admin, doc):
        page = admin.get(f"{doc}/@@edit")
        form = page.html.select_one("form.content-form")
        built = app.registry.skins.static_path("cupola-admin", "vendor/editor.js")
        if built:
            assert "/++resource++cupola-admin/vendor/editor.js?v=" in form["data-editor-src"]
        else:
            assert form.get("data-editor-src") is None
        assert admin.get("/news/++add++Folder").html.select_one(
            "form.content-form").get("data-editor-src") is None  # no rich text there


# -- delete -------------------------------------------------------------------------

class TestDelete:
    def test_the_confirmation_names_the_item_and_counts_what_is_inside(self, app, admin):
        from cupola.content.document import Document
        with Site(app) as site:
            folder = site["news"].add("old", Folder("Old things"))
            folder.add("a", Document("A"))
            folder.add("sub", Folder("Sub")).add("b", Document("B"))
        page = admin.get("/news/old/@@delete")
        assert page.html.select_one("h1").text == "Delete “Old things”?"
        assert " ".join(page.html.select_one(".delete-count").text.split()) == \
            "all 3 items inside it"
        assert "/news/old" in page.text
        assert page.html.select_one("button.danger").text == "Delete 4 items"
        assert page.html.select_one(".confirm a.button")["href"] == "http://localhost/news/old"

    def test_deleting_removes_it_and_goes_to_the_parent(self, app, admin, doc):
        page = admin.get(f"{doc}/@@delete")
        assert "The page will be deleted." in " ".join(page.html.select_one(".confirm").text.split())
        response = admin.post(f"{doc}/@@delete", {"_csrf": csrf_from(page)})
        assert response.location == "http://localhost/news"
        assert messages_of(response.follow())[0].startswith("Deleted “Story”.")
        assert not exists(app, doc)

    def test_the_site_cannot_be_deleted(self, admin):
        admin.get("/@@delete", status=403)

    def test_a_missing_csrf_token_changes_nothing(self, app, admin, doc):
        before = app.db.lastTransaction()
        admin.post(f"{doc}/@@delete", {}, status=403)
        assert app.db.lastTransaction() == before and exists(app, doc)

    def test_a_member_may_not_delete(self, app, doc):
        member(app).get(f"{doc}/@@delete", status=403)
        assert is_login_redirect(browser(app).get(f"{doc}/@@delete"))
