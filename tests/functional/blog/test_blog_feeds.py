"""The blog's RSS 2.0 and Atom feeds, and a tag's: they parse without
complaint (feedparser's bozo is 0), carry the required elements with
absolute URLs and RFC 822 / RFC 3339 dates, list live posts newest first
and nothing else."""

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest
from webtest import TestApp

from blog_support import add_blog, add_post, admin_browser, blog_app, set_dates
from conftest import Site

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def app():
    """One blog: three live posts (two tagged harbour), a draft, a scheduled
    post and an expired one; dates set so the order is known."""
    application = blog_app()
    admin = admin_browser(application)
    blog = add_blog(admin, title="Harbour & Co")
    base = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    for n, (title, tags) in enumerate([("First <post>", "harbour"), ("Second", ""),
                                       ("Third", "harbour, boats")]):
        post = add_post(admin, blog, title, f"<p>Body {n} with <b>bold</b>.</p>",
                        subjects=tags, description="" if n else "Explicit & excerpt")
        set_dates(application, post, base + timedelta(days=n))
    add_post(admin, blog, "Draft", action="save", subjects="harbour")
    soon = add_post(admin, blog, "Scheduled", subjects="harbour")
    set_dates(application, soon, datetime.now(timezone.utc) + timedelta(days=2))
    gone = add_post(admin, blog, "Expired", subjects="harbour")
    set_dates(application, gone, base, expires=base + timedelta(days=1))
    yield application
    application.db.close()


def fetch(app, path):
    response = TestApp(app).get(path)
    return response, feedparser.parse(response.body)


def test_rss_is_valid_and_complete(app):
    response, feed = fetch(app, "/harbour-co/@@rss")
    assert response.content_type == "application/rss+xml"
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Harbour & Co · Cupola"
    assert feed.feed.link == "http://localhost/harbour-co"
    assert [e.title for e in feed.entries] == ["Third", "Second", "First <post>"]
    root = ET.fromstring(response.body)
    channel = root.find("channel")
    for name in ("title", "link", "description", "lastBuildDate"):
        assert channel.find(name).text, name
    for item in channel.findall("item"):
        assert item.find("link").text.startswith("http://localhost/harbour-co/")
        assert item.find("guid").text == item.find("link").text
        assert parsedate_to_datetime(item.find("pubDate").text).tzinfo is not None
    first = feed.entries[-1]
    assert first.summary == "Explicit &amp; excerpt"  # RSS descriptions are HTML
    assert first.author == "Site administrator"
    assert first.published_parsed[:4] == (2026, 3, 1, 9)
    assert feed.entries[1].summary == "Body 1 with bold."


def test_atom_is_valid_and_complete(app):
    response, feed = fetch(app, "/harbour-co/@@atom")
    assert response.content_type == "application/atom+xml"
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    root = ET.fromstring(response.body)
    for name in ("id", "title", "updated"):
        assert root.find(ATOM + name).text, name
    assert RFC3339.match(root.find(ATOM + "updated").text)
    entries = root.findall(ATOM + "entry")
    assert [e.find(ATOM + "title").text for e in entries] == ["Third", "Second", "First <post>"]
    for entry in entries:
        assert entry.find(ATOM + "id").text.startswith("http://localhost/harbour-co/")
        assert RFC3339.match(entry.find(ATOM + "updated").text)
        assert RFC3339.match(entry.find(ATOM + "published").text)
        assert entry.find(ATOM + "link").get("href").startswith("http://")
    self_link = root.find(ATOM + "link[@rel='self']").get("href")
    assert self_link == "http://localhost/harbour-co/@@atom"
    assert feed.entries[0].author == "Site administrator"


def test_feed_xml_is_the_rss_feed(app):
    _, feed = fetch(app, "/harbour-co/feed.xml")
    assert feed.bozo == 0 and [e.title for e in feed.entries][0] == "Third"


@pytest.mark.parametrize("view", ["rss", "atom"])
def test_a_tag_feed_lists_only_its_live_posts(app, view):
    response, feed = fetch(app, f"/harbour-co/@@{view}?tag=harbour")
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == ["Third", "First <post>"]
    assert "harbour" in feed.feed.title
    assert "tag=harbour" in response.text  # the self link names the tag


def test_drafts_scheduled_and_expired_posts_are_left_out_even_for_editors(app):
    editor = admin_browser(app)
    for view in ("rss", "atom"):
        text = editor.get(f"/harbour-co/@@{view}").text
        for title in ("Draft", "Scheduled", "Expired"):
            assert title not in text


def test_the_blog_page_announces_its_feeds(app):
    page = TestApp(app).get("/harbour-co")
    links = {l["type"]: l["href"] for l in page.html.select("link[rel=alternate]")}
    assert links["application/rss+xml"] == "http://localhost/harbour-co/@@rss"
    assert links["application/atom+xml"] == "http://localhost/harbour-co/@@atom"
    tag = TestApp(app).get("/harbour-co/@@tag/harbour")
    hrefs = [l["href"] for l in tag.html.select("link[rel=alternate]")]
    assert "http://localhost/harbour-co/@@rss?tag=harbour" in hrefs


def test_an_empty_blog_has_a_valid_feed(app):
    admin = admin_browser(app)
    blog = add_blog(admin, title="Empty")
    for view in ("rss", "atom"):
        _, feed = fetch(app, f"{blog}/@@{view}")
        assert feed.bozo == 0 and feed.entries == []
    with Site(app) as site:
        del site["empty"]
