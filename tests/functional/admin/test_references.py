"""Reference fields: uuids on content, the picker widget and page, related items."""

import pytest
from zope import schema

from conftest import Site, publish
from cupola.content.item import Item
from cupola.interfaces import IBasicSchema

from . import add_person, browser


def make(app, *paths):
    """Documents at *paths* ("/news/a"); folders along the way exist already."""
    from cupola.content import operations
    with Site(app) as site:
        for path in paths:
            *folders, name = path.strip("/").split("/")
            container = site
            for folder in folders:
                container = container[folder]
            operations.create(app.registry, container, "Document",
                              {"title": name.title(), "text": "<p>x</p>"}, name=name)


def uuid_of(app, path):
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return obj.uuid


def related(app, path="/welcome"):
    with Site(app) as site:
        return tuple(site[path.strip("/")].related)


def form_of(page):
    return next(f for f in page.forms.values() if "_comment" in f.fields)


def save(client, path, **changes):
    page = client.get(f"{path}/@@edit")
    form = form_of(page)
    for name, value in changes.items():
        if isinstance(value, list):
            for box in form.fields.get(name, []):
                box.checked = box._value in value if hasattr(box, "_value") else False
        else:
            form[name] = value
    return form.submit()


class TestUuids:
    def test_every_new_item_has_its_own(self, app):
        make(app, "/news/a", "/news/b")
        a, b = uuid_of(app, "/news/a"), uuid_of(app, "/news/b")
        assert len(a) == 32 and a != b

    def test_a_copy_gets_new_ones_inside_too(self, app):
        from cupola.content import operations
        make(app, "/news/a")
        with Site(app) as site:
            operations.copy(app.registry, site["news"], site, "news2")
        assert uuid_of(app, "/news2/a") != uuid_of(app, "/news/a")
        assert uuid_of(app, "/news2") != uuid_of(app, "/news")

    def test_found_by_uuid_after_a_move_and_rename(self, app):
        from cupola.content import operations
        from cupola.content.references import find_by_uuid
        make(app, "/news/a")
        uid = uuid_of(app, "/news/a")
        with Site(app) as site:
            operations.move(app.registry, site["news"]["a"], site, "moved")
        with Site(app) as site:
            assert find_by_uuid(site, uid) is site["moved"]
            copy_uid = operations.copy(app.registry, site["moved"], site["news"]).uuid
        with Site(app) as site:
            assert find_by_uuid(site, copy_uid).__parent__ is site["news"]
            assert find_by_uuid(site, uid) is site["moved"]
            assert find_by_uuid(site, "0" * 32) is None


class TestWidget:
    def test_add_by_address_stores_uuids_and_shows_titles(self, app, admin):
        make(app, "/news/a", "/news/b")
        response = save(admin, "/welcome", **{"related.add": "/news/a\nhttp://localhost/news/b"})
        assert response.status_int == 303
        assert related(app) == (uuid_of(app, "/news/a"), uuid_of(app, "/news/b"))
        page = admin.get("/welcome/@@edit")
        labels = [l.get_text(" ", strip=True) for l in page.html.select(".reference-list label")]
        assert labels == ["A /news/a", "B /news/b"]
        assert page.html.select_one("details.form-section[open] .references")

    def test_untick_to_remove(self, app, admin):
        make(app, "/news/a", "/news/b")
        save(admin, "/welcome", **{"related.add": "/news/a\n/news/b"})
        page = admin.get("/welcome/@@edit")
        form = form_of(page)
        keep = uuid_of(app, "/news/b")
        for box in form.fields["related"]:
            box.checked = box._value == keep
        form.submit()
        assert related(app) == (keep,)

    def test_the_reference_survives_a_rename(self, app, admin):
        from cupola.content import operations
        make(app, "/news/a")
        save(admin, "/welcome", **{"related.add": "/news/a"})
        with Site(app) as site:
            operations.rename(site["news"]["a"], "renamed")
        publish_all(app)
        page = admin.get("/welcome")
        links = [(a.get_text(strip=True), a["href"]) for a in page.html.select(".related-items a")]
        assert links == [("A", "http://localhost/news/renamed")]

    @pytest.mark.parametrize("address, words", [
        ("/news/nothing", "Nothing is at /news/nothing"),
        ("http://elsewhere.example/news", "not an address of this site"),
        ("/", "not the whole site"),
        ("/welcome", "this item itself"),
    ])
    def test_bad_addresses_are_refused_and_kept(self, app, admin, address, words):
        before = related(app)
        page = save(admin, "/welcome", **{"related.add": address})
        assert page.status_int == 200
        assert words in page.html.select_one("#field-related-error").get_text()
        assert page.html.select_one("#field-related-add").text == address
        assert related(app) == before

    def test_an_item_the_editor_may_not_see_cannot_be_added(self, app):
        make(app, "/news/secret")
        add_person(app, "ed", roles=("Member",))
        from cupola.security.localroles import add_local_role
        with Site(app) as site:
            add_local_role(site["welcome"], "ed", "Editor")
        client = browser(app, "ed")
        page = save(client, "/welcome", **{"related.add": "/news/secret"})
        assert page.status_int == 200
        assert "that you may see" in page.html.select_one("#field-related-error").get_text()


def publish_all(app):
    with Site(app) as site:
        for name in ("welcome", "news"):
            publish(site[name])
        for child in site["news"].values():
            publish(child)


class TestRelatedOnThePage:
    def test_anonymous_sees_only_what_it_may_see(self, app, admin):
        from webtest import TestApp
        make(app, "/news/open", "/news/private")
        save(admin, "/welcome", **{"related.add": "/news/open\n/news/private"})
        with Site(app) as site:
            publish(site["welcome"], site["news"], site["news"]["open"])
        visitor = TestApp(app).get("/welcome")
        assert [a.get_text(strip=True) for a in visitor.html.select(".related-items a")] == ["Open"]
        assert [a.get_text(strip=True) for a in admin.get("/welcome").html.select(
            ".related-items a")] == ["Open", "Private"]

    def test_a_deleted_target_disappears_from_the_page(self, app, admin):
        from cupola.content import operations
        make(app, "/news/a")
        save(admin, "/welcome", **{"related.add": "/news/a"})
        with Site(app) as site:
            operations.delete(site["news"]["a"])
        assert not admin.get("/welcome").html.select(".related-items")
        labels = admin.get("/welcome/@@edit").html.select(".reference-list label.missing")
        assert len(labels) == 1


class TestPicker:
    def test_browses_folders_with_breadcrumbs(self, app, admin):
        make(app, "/news/a", "/news/b")
        page = admin.get("/@@reference-picker?field=field-related")
        titles = [t.get_text(strip=True) for t in page.html.select(".picker-title")]
        assert "News" in titles and "Welcome to Cupola" in titles
        news = next(a for a in page.html.select("a.picker-title") if a.text == "News")
        inside = admin.get(news["href"])
        assert [c.get_text(strip=True) for c in inside.html.select(".picker-crumbs a")] == [
            "Cupola", "News"]
        assert [p.get_text() for p in inside.html.select(".picker-path")] == ["/news/a", "/news/b"]
        assert [b["data-choose"] for b in inside.html.select("[data-choose]")] == [
            "/news/a", "/news/b"]

    def test_search_inside_a_folder(self, app, admin):
        make(app, "/news/apples", "/news/pears")
        page = admin.get("/news/@@reference-picker?q=apples&field=field-related")
        assert [p.get_text() for p in page.html.select(".picker-path")] == ["/news/apples"]

    def test_anonymous_is_sent_to_sign_in(self, app):
        from webtest import TestApp
        response = TestApp(app).get("/@@reference-picker")
        assert response.status_int == 303

    def test_shows_only_what_the_user_may_see(self, app):
        make(app, "/news/hidden")
        add_person(app, "mel", roles=("Member",))
        with Site(app) as site:
            publish(site["news"])
        page = browser(app, "mel").get("/news/@@reference-picker")
        assert not page.html.select(".picker-path")
        assert "empty" in page.html.select_one(".empty").get_text()

    def test_a_bad_field_name_is_refused(self, app, admin):
        admin.get("/@@reference-picker?field=%3Cscript%3E", status=400)


class TestHistory:
    def test_the_diff_names_the_items_not_their_uuids(self, app, admin):
        make(app, "/news/a")
        save(admin, "/welcome", **{"related.add": "/news/a"})
        page = admin.get("/welcome/@@history")
        latest = page.html.select_one(".timeline > li a[href*='history-diff']")["href"]
        diff = admin.get(latest)
        field = next(f for f in diff.html.select(".diff-field")
                     if "Related items" in f.get_text())
        assert "A" in [i.get_text(strip=True) for i in field.select("ins")]
        assert uuid_of(app, "/news/a") not in diff.text


class IVenueSchema(IBasicSchema):
    venue = schema.TextLine(title="Venue page", required=False)


IVenueSchema["venue"].setTaggedValue("cupola.widget", "reference")


class Gig(Item):
    type_name = "Gig"
    venue = None


def _venue_type(config):
    config.add_content_type("Gig", Gig, IVenueSchema, title="Gig")


class TestOneReference:
    @pytest.fixture
    def app(self):
        from conftest import build_app
        application = build_app(_venue_type)
        yield application
        application.db.close()

    def test_one_item_is_stored_as_a_uuid_and_a_second_is_refused(self, app, admin):
        make(app, "/news/hall", "/news/club")
        with Site(app) as site:  # folders hold the core types only: put it there directly
            site["news"].add("gig", app.registry.types["Gig"].factory("Spring gig"))
        path = "/news/gig"
        assert save(admin, path, **{"venue.add": "/news/hall"}).status_int == 303
        with Site(app) as site:
            assert site["news"]["gig"].venue == uuid_of(app, "/news/hall")
        page = save(admin, path, **{"venue.add": "/news/club"})
        assert page.status_int == 200
        assert "only one item" in page.html.select_one("#field-venue-error").get_text()
        form = form_of(admin.get(f"{path}/@@edit"))
        form["venue"] = False
        form["venue.add"] = "/news/club"
        assert form.submit().status_int == 303
        with Site(app) as site:
            assert site["news"]["gig"].venue == uuid_of(app, "/news/club")
