"""RSS and Atom feeds of folders and the site's sitemap.xml, from the catalog."""

import calendar
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import feedparser
import pytest
from webtest import TestApp

from conftest import Site, build_app, sign_in

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def day(n):
    return datetime(2024, 1, n, 12, 0, tzinfo=timezone.utc)


def publish(app, site, obj):
    """Take the workflow's publish transition as the site administrator."""
    from cupola.request import Request
    from cupola.workflow.engine import do_transition
    request = Request.blank("/")
    request.registry, request.site = app.registry, site
    request.environ["cupola.user"] = site.users["admin"]
    do_transition(app.registry, obj, request, "publish")
    return obj


def add(app, site, path, type_name, title, description="", published=True,
        modified=None, effective=None, expires=None, creator="admin", name=None,
        **data):
    """Create content with the content operations, dated, maybe published."""
    from cupola.content.operations import create
    container = site
    for part in path.strip("/").split("/"):
        if part:
            container = container[part]
    obj = create(app.registry, container, type_name,
                 {"title": title, "description": description, **data},
                 name=name, creator=creator)
    obj.modified = modified or obj.modified
    obj.effective, obj.expires = effective, expires
    return publish(app, site, obj) if published else obj


@pytest.fixture
def news(app):
    """/news holds four published items, one private, and a subfolder.

    Newest first by effective date, else modified: b, sub/c, d, a.
    """
    with Site(app) as site:
        add(app, site, "/news", "Document", "A", "First", modified=day(1))
        add(app, site, "/news", "Document", "B", "Has a date",
            modified=day(2), effective=day(5))
        add(app, site, "/news", "Folder", "Sub", modified=day(20), name="sub")
        add(app, site, "/news/sub", "Link", "C", "Below", modified=day(3),
            url="https://example.org/")
        add(app, site, "/news", "Document", "D", "Edited later",
            modified=day(10), effective=day(2))
        add(app, site, "/news", "Document", "Draft", "Secret plans",
            published=False, modified=day(30), name="draft")
    return app


def parse(response):
    feed = feedparser.parse(response.body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def titles(feed):
    return [e.title for e in feed.entries]


class TestRSS:
    def test_is_rss_with_the_newest_items_below_the_folder(self, news, testapp):
        response = testapp.get("/news/@@rss")
        assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        feed = parse(response)
        assert feed.version == "rss20"
        assert titles(feed) == ["B", "C", "D", "A"]

    def test_items_link_to_their_pages_with_stable_guids(self, news, testapp):
        first, second = parse(testapp.get("/news/@@rss")).entries[:2]
        assert first.link == first.id == "http://localhost/news/b"
        assert second.link == "http://localhost/news/sub/c"
        assert b'<guid isPermaLink="true">http://localhost/news/b</guid>' in \
            testapp.get("/news/@@rss").body

    def test_pub_date_is_effective_else_modified(self, news, testapp):
        entries = parse(testapp.get("/news/@@rss")).entries
        dates = [calendar.timegm(e.published_parsed) for e in entries]
        assert dates == [int(day(n).timestamp()) for n in (5, 3, 2, 1)]
        assert entries[0].published == "Fri, 05 Jan 2024 12:00:00 GMT"

    def test_channel_describes_the_folder(self, news, testapp):
        feed = parse(testapp.get("/news/@@rss")).feed
        assert feed.title == "News · Cupola"
        assert feed.link == "http://localhost/news"
        assert feed.subtitle == "What is new."

    def test_summary_and_author(self, news, testapp):
        entry = parse(testapp.get("/news/@@rss")).entries[0]
        assert entry.summary == "Has a date"
        assert entry.author == "Site administrator"

    def test_feed_xml_is_the_rss_feed(self, news, testapp):
        alias = testapp.get("/news/feed.xml")
        assert alias.content_type == "application/rss+xml"
        assert titles(parse(alias)) == titles(parse(testapp.get("/news/@@rss")))

    def test_a_child_named_feed_xml_wins(self, app, testapp):
        with Site(app) as site:
            add(app, site, "/news", "Document", "Not a feed", name="feed.xml")
        page = testapp.get("/news/feed.xml")
        assert page.content_type == "text/html"
        assert page.html.h1.text == "Not a feed"
        assert parse(testapp.get("/news/@@rss")).entries[0].title == "Not a feed"

    def test_only_on_containers(self, testapp):
        testapp.get("/welcome/@@rss", status=404)
        testapp.get("/welcome/feed.xml", status=404)


class TestAtom:
    def test_is_atom_with_ids_dates_and_authors(self, news, testapp):
        response = testapp.get("/news/@@atom")
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        feed = parse(response)
        assert feed.version == "atom10"
        assert titles(feed) == ["B", "C", "D", "A"]
        d = feed.entries[2]
        assert d.id == d.link == "http://localhost/news/d"
        assert d.published == "2024-01-02T12:00:00Z"   # effective
        assert d.updated == "2024-01-10T12:00:00Z"     # edited after
        assert "published" not in feed.entries[1]       # no effective date
        assert d.author == "Site administrator" and d.summary == "Edited later"

    def test_feed_head(self, news, testapp):
        feed = parse(testapp.get("/news/@@atom")).feed
        assert feed.title == "News · Cupola"
        assert feed.id == "http://localhost/news"
        assert feed.updated == "2024-01-10T12:00:00Z"
        links = {link.rel: link.href for link in feed.links}
        assert links == {"alternate": "http://localhost/news",
                         "self": "http://localhost/news/@@atom"}


class TestWhatIsListed:
    def test_folders_and_the_folder_itself_are_left_out(self, news, testapp):
        for url in ("/news/@@rss", "/news/@@atom", "/@@rss"):
            listed = titles(parse(testapp.get(url)))
            assert "Sub" not in listed and "News" not in listed

    def test_a_subfolder_feed_covers_its_subtree_only(self, news, testapp):
        assert titles(parse(testapp.get("/news/sub/@@atom"))) == ["C"]

    def test_private_content_is_not_in_an_anonymous_feed(self, news, testapp):
        for url in ("/news/@@rss", "/news/@@atom", "/@@rss"):
            assert b"Secret" not in testapp.get(url).body
            assert "Draft" not in titles(parse(testapp.get(url)))

    def test_the_feed_lists_what_the_requester_may_see(self, news, testapp):
        sign_in(testapp)
        assert titles(parse(testapp.get("/news/@@rss")))[0] == "Draft"

    def test_an_admins_feed_is_never_served_to_anonymous(self, news):
        admin, anonymous = TestApp(news), TestApp(news)
        sign_in(admin)
        assert "Draft" in titles(parse(admin.get("/news/@@rss")))
        assert "Draft" not in titles(parse(anonymous.get("/news/@@rss")))
        assert "Draft" not in titles(parse(anonymous.get("/news/@@rss")))
        assert news.response_cache.hits == 1  # the anonymous feed, once
        assert "Draft" in titles(parse(admin.get("/news/@@rss")))

    def test_scheduled_and_expired_content_is_left_out_for_everyone(self, app, testapp):
        now = datetime.now(timezone.utc)
        with Site(app) as site:
            add(app, site, "/news", "Document", "Soon", effective=now + timedelta(days=1))
            add(app, site, "/news", "Document", "Gone", expires=now - timedelta(days=1))
            add(app, site, "/news", "Document", "Live", expires=now + timedelta(days=1))
        assert titles(parse(testapp.get("/news/@@rss"))) == ["Live"]
        sign_in(testapp)
        assert titles(parse(testapp.get("/news/@@rss"))) == ["Live"]

    def test_feed_size_setting_limits_the_entries(self):
        app = build_app(feed_size="3")
        with Site(app) as site:
            for n in range(1, 8):
                add(app, site, "/news", "Document", f"Item {n}", modified=day(n))
        feed = parse(TestApp(app).get("/news/@@rss"))
        assert titles(feed) == ["Item 7", "Item 6", "Item 5"]
        app.db.close()

    def test_default_size_is_twenty_newest_first(self, app, testapp):
        with Site(app) as site:
            for n in range(1, 26):
                add(app, site, "/news", "Document", f"Item {n}", modified=day(n),
                    effective=day(n) if n % 2 else None)
        expected = [f"Item {n}" for n in range(25, 5, -1)]
        assert titles(parse(testapp.get("/news/@@rss"))) == expected
        assert titles(parse(testapp.get("/news/@@atom"))) == expected

    def test_an_empty_folder_gives_an_empty_valid_feed(self, testapp):
        assert parse(testapp.get("/news/@@rss")).entries == []
        assert parse(testapp.get("/news/@@atom")).entries == []

    def test_a_login_is_never_shown_as_author(self, app, testapp):
        from cupola.security.users import add_user
        with Site(app) as site:
            add_user(site, "ann", "ann-password-123", roles=("Editor",))
            add(app, site, "/news", "Document", "By Ann", creator="ann")
        for view in ("rss", "atom"):
            entry = parse(testapp.get(f"/news/@@{view}")).entries[0]
            assert entry.title == "By Ann" and "author" not in entry


class TestEscaping:
    TITLE = "<script>alert(1)</script> Tom & Jerry"

    @pytest.fixture
    def nasty(self, app):
        with Site(app) as site:
            add(app, site, "/news", "Document", self.TITLE,
                "<b>bold</b> & \x01odd\x1f", name="nasty")
        return app

    @pytest.mark.parametrize("view", ["rss", "atom"])
    def test_markup_is_escaped_and_the_feed_parses(self, nasty, testapp, view):
        response = testapp.get(f"/news/@@{view}")
        assert b"<script>" not in response.body and b"<b>" not in response.body
        ET.fromstring(response.body)  # well formed
        entry = parse(response).entries[0]
        assert entry.title == self.TITLE

    def test_atom_summary_is_the_plain_text(self, nasty, testapp):
        entry = parse(testapp.get("/news/@@atom")).entries[0]
        assert entry.summary == "<b>bold</b> & odd"

    def test_rss_description_is_html_showing_the_text(self, nasty, testapp):
        entry = parse(testapp.get("/news/@@rss")).entries[0]
        assert entry.summary == "&lt;b&gt;bold&lt;/b&gt; &amp; odd"


class TestConditional:
    def test_etag_changes_when_an_item_below_changes(self, news, testapp):
        from cupola.content.operations import edit
        first = testapp.get("/news/@@rss")
        etag = first.headers["ETag"]
        testapp.get("/news/@@rss", headers={"If-None-Match": etag}, status=304)
        with Site(news) as site:
            edit(news.registry, site["news"]["sub"]["c"], {"title": "C, edited"})
        second = testapp.get("/news/@@rss", headers={"If-None-Match": etag}, status=200)
        assert second.headers["ETag"] != etag
        assert titles(parse(second))[0] == "C, edited"


class TestAutodiscovery:
    def test_a_folder_page_links_to_its_feeds(self, testapp):
        head = testapp.get("/news").html.head
        rss = head.select_one("link[rel=alternate][type='application/rss+xml']")
        atom = head.select_one("link[rel=alternate][type='application/atom+xml']")
        assert rss["href"] == "http://localhost/news/@@rss"
        assert atom["href"] == "http://localhost/news/@@atom"

    def test_a_page_has_no_feed_links(self, testapp):
        assert testapp.get("/welcome").html.head.select("link[rel=alternate]") == []


def sitemap_urls(response):
    root = ET.fromstring(response.body)
    assert root.tag == SM + "urlset"
    return [(u.findtext(SM + "loc"), u.findtext(SM + "lastmod"))
            for u in root.findall(SM + "url")]


class TestSitemap:
    def test_lists_the_home_page_and_published_content(self, news, testapp):
        response = testapp.get("/sitemap.xml")
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        urls = dict(sitemap_urls(response))
        assert urls.pop("http://localhost/") is None
        assert set(urls) == {f"http://localhost{p}" for p in (
            "/about", "/about/team", "/welcome", "/news", "/news/a", "/news/b",
            "/news/d", "/news/sub", "/news/sub/c")}
        assert urls["http://localhost/news/a"] == "2024-01-01T12:00:00Z"

    def test_lists_what_anonymous_sees_also_for_an_admin(self, news, testapp):
        sign_in(testapp)
        locs = [loc for loc, _ in sitemap_urls(testapp.get("/sitemap.xml"))]
        assert "http://localhost/news/draft" not in locs
        assert "http://localhost/news/b" in locs

    def test_only_on_the_site_root(self, testapp):
        testapp.get("/news/sitemap.xml", status=404)

    def test_big_sites_get_an_index_of_pages(self):
        app = build_app(sitemap_size="4")
        with Site(app) as site:
            for n in range(6):
                add(app, site, "/news", "Document", f"Item {n}")
        client = TestApp(app)
        index = ET.fromstring(client.get("/sitemap.xml").body)
        assert index.tag == SM + "sitemapindex"
        pages = [s.findtext(SM + "loc") for s in index.findall(SM + "sitemap")]
        # 1 home page + 4 welcome pages and folders + 6 items = 11 URLs
        assert pages == [f"http://localhost/sitemap.xml?page={n}" for n in (1, 2, 3)]
        seen = []
        for n in (1, 2, 3):
            seen += [loc for loc, _ in sitemap_urls(client.get(f"/sitemap.xml?page={n}"))]
        assert len(seen) == len(set(seen)) == 11
        assert seen[0] == "http://localhost/"
        assert "http://localhost/news/item-5" in seen
        client.get("/sitemap.xml?page=4", status=404)
        client.get("/sitemap.xml?page=0", status=404)
        client.get("/sitemap.xml?page=x", status=404)
        app.db.close()
