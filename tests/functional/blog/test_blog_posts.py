"""Blogs and posts through the web: adding, author and excerpt, the
publication date, who sees what (drafts, scheduled posts), the front
page's order and batches, the archive by month and year, tag pages and
the lead image."""

from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from PIL import Image as PILImage
from webtest import TestApp

from blog_support import add_blog, add_post, person, set_dates
from blog_support import admin, app  # noqa: F401  (fixtures, found by name)
from conftest import Site, csrf_from


def titles(page):
    return [a.text for a in page.html.select(".blog-teaser h2 a")]


def post_of(app, path):
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return {"author": obj.author, "effective": obj.effective, "excerpt": obj.excerpt,
                "text": obj.text, "state": obj.workflow_state, "lead_image": obj.lead_image}


class TestPosts:
    def test_a_post_is_added_and_shown_with_its_parts(self, app, admin):
        blog = add_blog(admin)
        post = add_post(admin, blog, "Harbour news", "<p>The <em>new</em> bridge opens.</p>",
                        subjects="city, bridges")
        page = admin.get(post)
        article = page.html.select_one("#blog-post")
        assert article.select_one("h1").text == "Harbour news"
        assert article.select_one(".author").text == "Site administrator"
        assert article.select_one(".blog-text em").text == "new"
        tags = {a.text: a["href"] for a in article.select(".tag-list a")}
        assert tags == {"city": f"http://localhost{blog}/@@tag/city",
                        "bridges": f"http://localhost{blog}/@@tag/bridges"}

    def test_the_author_defaults_to_the_full_name_and_may_be_chosen(self, app, admin):
        blog = add_blog(admin)
        writer = person(app, "wanda", roles=("Editor", "Reviewer"), fullname="Wanda Writer")
        mine = add_post(writer, blog, "Mine")
        theirs = add_post(writer, blog, "Ghost written", author="Gus Guest")
        assert post_of(app, mine)["author"] == "Wanda Writer"
        assert post_of(app, theirs)["author"] == "Gus Guest"
        assert TestApp(app).get(theirs).html.select_one(".author").text == "Gus Guest"

    def test_the_excerpt_is_the_summary_or_the_start_of_the_text(self, app, admin):
        blog = add_blog(admin)
        words = " ".join(f"word{n}" for n in range(200))
        derived = add_post(admin, blog, "Long", f"<p>{words}</p>")
        explicit = add_post(admin, blog, "Short", f"<p>{words}</p>",
                            description="Just the gist.")
        excerpt = post_of(app, derived)["excerpt"]
        assert excerpt.startswith("word0 word1") and excerpt.endswith("…")
        assert len(excerpt) <= 281 and "word199" not in excerpt
        assert post_of(app, explicit)["excerpt"] == "Just the gist."
        front = TestApp(app).get(blog)
        assert sorted(p.text for p in front.html.select(".excerpt")) == sorted(
            ["Just the gist.", excerpt])

    def test_the_text_is_sanitised(self, app, admin):
        blog = add_blog(admin)
        post = add_post(admin, blog, "Tricky",
                        '<p onclick="x()">Hi<script>alert(1)</script>'
                        '<a href="javascript:alert(2)">link</a></p>')
        text = post_of(app, post)["text"]
        assert "script" not in text and "onclick" not in text and "javascript" not in text
        assert "<script" not in TestApp(app).get(post).text.split("</head>")[1]

    def test_publishing_sets_the_publication_date(self, app, admin):
        blog = add_blog(admin)
        before = datetime.now(timezone.utc).replace(microsecond=0)
        post = add_post(admin, blog, "Dated")
        found = post_of(app, post)
        assert found["state"] == "published"
        assert before <= found["effective"] <= datetime.now(timezone.utc)
        page = TestApp(app).get(post)
        assert page.html.select_one("time.published")["datetime"] == found["effective"].isoformat()

    def test_a_date_set_by_hand_is_kept(self, app, admin):
        blog = add_blog(admin)
        post = add_post(admin, blog, "Old story", effective="2024-03-05T10:00")
        assert post_of(app, post)["effective"] == datetime(2024, 3, 5, 10, tzinfo=timezone.utc)


class TestWhoSeesWhat:
    def test_a_draft_is_not_shown_to_visitors(self, app, admin):
        blog = add_blog(admin)
        add_post(admin, blog, "Public")
        draft = add_post(admin, blog, "Draft", action="save")
        visitor = TestApp(app)
        assert titles(visitor.get(blog)) == ["Public"]
        assert visitor.get(draft, status=303).location.startswith("http://localhost/@@login")
        assert "Draft" not in visitor.get(f"{blog}/@@rss").text

    def test_a_scheduled_post_waits_for_its_date(self, app, admin):
        blog = add_blog(admin)
        add_post(admin, blog, "Today")
        later = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        scheduled = add_post(admin, blog, "Later", effective=later, subjects="soon")
        visitor = TestApp(app)
        assert titles(visitor.get(blog)) == ["Today"]
        assert visitor.get(scheduled, expect_errors=True).status_int in (303, 404)
        assert "Later" not in visitor.get(f"{blog}/@@rss").text
        assert "Later" not in visitor.get(f"{blog}/@@atom").text
        assert titles(visitor.get(f"{blog}/@@tag/soon")) == []
        month = later[:7].replace("-", "/")
        assert "Later" not in visitor.get(f"{blog}/@@archive/{month}").text
        # the editor sees it, marked, but it is not in the feed either
        front = admin.get(blog)
        assert titles(front) == ["Later", "Today"]
        assert front.html.select_one(".blog-teaser .scheduled").text == "Scheduled"
        assert "Later" not in admin.get(f"{blog}/@@rss").text

    def test_a_private_blog_hides_its_posts(self, app, admin):
        blog = add_blog(admin, action="save")
        add_post(admin, blog, "Inside")
        TestApp(app).get(blog, status=303)


class TestLists:
    def test_newest_first_in_batches_of_ten(self, app, admin):
        blog = add_blog(admin)
        paths = [add_post(admin, blog, f"Post {n}") for n in range(12)]
        base = datetime(2026, 1, 1, tzinfo=timezone.utc)
        for n, path in enumerate(paths):
            set_dates(app, path, base + timedelta(days=n))
        visitor = TestApp(app)
        first = visitor.get(blog)
        assert titles(first) == [f"Post {n}" for n in range(11, 1, -1)]
        older = first.html.select_one(".pagination a[rel=next]")["href"]
        assert titles(visitor.get(older)) == ["Post 1", "Post 0"]

    def test_archive_by_month_and_year_with_counts(self, app, admin):
        blog = add_blog(admin)
        dates = {"Jan a": (2025, 1, 3), "Jan b": (2025, 1, 20), "Mar": (2025, 3, 1),
                 "Next year": (2026, 2, 2)}
        for title, (y, m, d) in dates.items():
            set_dates(app, add_post(admin, blog, title),
                      datetime(y, m, d, 12, tzinfo=timezone.utc))
        visitor = TestApp(app)
        front = visitor.get(blog)
        months = [(li.a.text, li.a["href"], li.select_one(".count").text)
                  for li in front.html.select(".blog-months li")]
        assert months == [
            ("February 2026", f"http://localhost{blog}/@@archive/2026/02", "(1)"),
            ("March 2025", f"http://localhost{blog}/@@archive/2025/03", "(1)"),
            ("January 2025", f"http://localhost{blog}/@@archive/2025/01", "(2)")]
        january = visitor.get(f"{blog}/@@archive/2025/01")
        assert january.html.select_one("h1").text == "Posts of January 2025"
        assert titles(january) == ["Jan b", "Jan a"]
        assert titles(visitor.get(f"{blog}/@@archive/2025")) == ["Mar", "Jan b", "Jan a"]
        assert titles(visitor.get(f"{blog}/@@archive/2024/07")) == []
        assert titles(visitor.get(f"{blog}/@@archive?year=2025&month=1")) == ["Jan b", "Jan a"]
        assert titles(visitor.get(f"{blog}/@@archive?year=2026")) == ["Next year"]

    @pytest.mark.parametrize("bad", ["2025/13", "abc", "2025/01/02", "0/1", "-1"])
    def test_a_bad_archive_address_is_404(self, app, admin, bad):
        blog = add_blog(admin)
        TestApp(app).get(f"{blog}/@@archive/{bad}", status=404)
        TestApp(app).get(f"{blog}/@@archive", status=404)
        TestApp(app).get(f"{blog}/@@archive?year=2025&month=x", status=404)

    def test_tag_pages_list_the_tagged_posts(self, app, admin):
        blog = add_blog(admin)
        add_post(admin, blog, "Boats", subjects="harbour, boats")
        add_post(admin, blog, "Cranes", subjects="harbour")
        add_post(admin, blog, "Cakes", subjects="baking")
        visitor = TestApp(app)
        page = visitor.get(f"{blog}/@@tag/harbour")
        assert page.html.select_one("h1").text == "Posts tagged “harbour”"
        assert sorted(titles(page)) == ["Boats", "Cranes"]
        tags = {li.a.text: li.select_one(".count").text
                for li in visitor.get(blog).html.select(".blog-tags li")}
        assert tags == {"baking": "(1)", "boats": "(1)", "harbour": "(2)"}
        assert visitor.get(f"{blog}/@@tag/h%C3%A4fen").html.select(".blog-teaser") == []
        visitor.get(f"{blog}/@@tag", status=404)

    def test_a_tag_with_odd_characters_is_escaped(self, app, admin):
        blog = add_blog(admin)
        add_post(admin, blog, "Odd", subjects='<b>"x"</b> & co')
        page = TestApp(app).get(blog)
        assert "<b>" not in page.html.select_one(".blog-tags").decode_contents()
        link = page.html.select_one(".blog-tags a")["href"]
        assert titles(TestApp(app).get(link.replace("http://localhost", ""))) == ["Odd"]


def png(width, height):
    out = BytesIO()
    PILImage.new("RGB", (width, height), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


class TestLeadImage:
    @pytest.fixture
    def blog(self, admin):
        blog = add_blog(admin)
        add_image(admin, blog, "Harbour view", png(1920, 1080), "Boats at dawn")
        return blog

    def test_a_lead_image_is_shown_scaled_on_the_post_and_the_front_page(
            self, app, admin, blog):
        post = add_post(admin, blog, "With picture", **{"lead_image.add": f"{blog}/harbour-view"})
        assert len(post_of(app, post)["lead_image"]) == 32
        visitor = TestApp(app)
        img = visitor.get(post).html.select_one(".blog-lead-image img")
        assert img["src"] == f"http://localhost{blog}/harbour-view/@@blog-scale/lead"
        assert (img["width"], img["height"], img["alt"]) == ("1280", "720", "Boats at dawn")
        teaser = visitor.get(blog).html.select_one(".blog-teaser-image img")
        assert teaser["src"] == f"http://localhost{blog}/harbour-view/@@blog-scale/teaser"
        assert (teaser["width"], teaser["height"]) == ("640", "360")
        assert titles(visitor.get(blog)) == ["With picture"]  # the image is no post

    @pytest.mark.parametrize("name, size", [("lead", (1280, 720)), ("teaser", (640, 360))])
    def test_the_scales_are_real_smaller_images(self, app, blog, name, size):
        visitor = TestApp(app)
        response = visitor.get(f"{blog}/harbour-view/@@blog-scale/{name}")
        assert response.content_type == "image/png"
        assert PILImage.open(BytesIO(response.body)).size == size
        again = visitor.get(f"{blog}/harbour-view/@@blog-scale/{name}",
                            headers={"If-None-Match": response.headers["ETag"]}, status=304)
        assert again.body == b""

    def test_a_new_upload_gets_a_new_scale(self, app, admin, blog):
        first = TestApp(app).get(f"{blog}/harbour-view/@@blog-scale/teaser")
        with Site(app) as site:
            site["team-blog"]["harbour-view"].set_data(png(1000, 1000), "square.png")
        second = TestApp(app).get(f"{blog}/harbour-view/@@blog-scale/teaser")
        assert second.headers["ETag"] != first.headers["ETag"]
        assert PILImage.open(BytesIO(second.body)).size == (640, 640)

    def test_a_small_image_is_served_as_it_is(self, app, admin, blog):
        add_image(admin, blog, "Icon", png(100, 50))
        response = TestApp(app).get(f"{blog}/icon/@@blog-scale/lead")
        assert PILImage.open(BytesIO(response.body)).size == (100, 50)

    @pytest.mark.parametrize("name", ["huge", "10000", "lead/extra"])
    def test_only_the_known_scales_exist(self, app, blog, name):
        TestApp(app).get(f"{blog}/harbour-view/@@blog-scale/{name}", status=404)
        TestApp(app).get(f"{blog}/harbour-view/@@blog-scale", status=404)

    def test_a_reference_to_something_else_shows_no_image(self, app, admin, blog):
        post = add_post(admin, blog, "Odd lead", **{"lead_image.add": "/welcome"})
        assert TestApp(app).get(post).html.select_one(".blog-lead-image") is None


def add_image(browser, blog, title, data, description=""):
    form = browser.get(f"{blog}/++add++Image")
    browser.post(f"{blog}/++add++Image", {"_csrf": csrf_from(form), "_action": "save",
                                         "title": title, "description": description},
                 upload_files=[("file", "image.png", data, "image/png")], status=303)
