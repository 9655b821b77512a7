"""Public pages through the WSGI app: every type's view, batching, assets."""

import io

import pytest

from conftest import publish


def add_docs(site_of, app, folder_name, count):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    with site_of(app) as site:
        folder = publish(site.add(folder_name, Folder("Many")))
        for i in range(count):
            publish(folder.add(f"doc-{i:03d}", Document(f"Document {i}", f"Summary {i}")))


class TestHomeAndDocuments:
    def test_home_lists_the_sites_children(self, testapp):
        page = testapp.get("/")
        assert page.content_type == "text/html"
        assert "Welcome to Cupola" in page
        assert page.html.select_one("nav.site-nav a[href$='/about']") is not None

    def test_document_view_shows_title_summary_and_body(self, testapp):
        page = testapp.get("/welcome")
        assert page.html.h1.text == "Welcome to Cupola"
        assert "Your new site is ready." in page
        assert "<h2>Next steps</h2>" in page

    def test_breadcrumbs_lead_from_home_to_the_page(self, testapp):
        page = testapp.get("/about/team")
        crumbs = [a.text for a in page.html.select("nav.breadcrumbs li")]
        assert [c.strip() for c in crumbs] == ["Home", "About", "Our team"]

    def test_navigation_marks_the_current_section(self, testapp):
        page = testapp.get("/about/team")
        current = page.html.select_one("nav.site-nav a.current")
        assert current.text.strip() == "About"

    def test_document_body_is_sanitised(self, app, testapp, site_of):
        from cupola.content.document import Document
        with site_of(app) as site:
            publish(site.add("x", Document("X", "", '<p onclick="evil()">hi<script>alert(1)</script></p>')))
        page = testapp.get("/x")
        assert "<script>" not in page.text and "onclick" not in page.text
        assert "<p>hi</p>" in page

    def test_titles_are_escaped(self, app, testapp, site_of):
        from cupola.content.document import Document
        with site_of(app) as site:
            publish(site.add("y", Document("<b>bold</b>", "a & b")))
        page = testapp.get("/y")
        assert "&lt;b&gt;bold&lt;/b&gt;" in page.text
        assert "<b>bold</b>" not in page.text

    def test_head_has_headers_and_no_body(self, testapp):
        response = testapp.head("/welcome")
        assert response.status_int == 200 and response.body == b""
        assert response.headers["ETag"]


class TestFolderListing:
    def test_batches_by_twenty_with_page_links(self, app, testapp, site_of):
        add_docs(site_of, app, "many", 45)
        page = testapp.get("/many")
        cards = page.html.select("ul.cards li")
        assert len(cards) == 20
        assert "1–20 of 45" in page.text
        second = testapp.get("/many?b_start=40")
        assert len(second.html.select("ul.cards li")) == 5
        assert "Document 40" in second and "Document 39" not in second

    def test_bad_batch_parameters_fall_back(self, app, testapp, site_of):
        add_docs(site_of, app, "many", 3)
        assert len(testapp.get("/many?b_start=abc").html.select("ul.cards li")) == 3
        assert len(testapp.get("/many?b_start=-5&b_size=0").html.select("ul.cards li")) == 1

    def test_empty_folder_says_so(self, testapp):
        assert "This folder is empty." in testapp.get("/news")


class TestConditionalGet:
    def test_etag_answers_304(self, testapp):
        first = testapp.get("/welcome")
        again = testapp.get("/welcome", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_int == 304 and again.body == b""

    def test_etag_changes_after_an_edit(self, app, testapp, site_of):
        first = testapp.get("/welcome").headers["ETag"]
        with site_of(app) as site:
            site["welcome"].title = "Changed"
        second = testapp.get("/welcome", headers={"If-None-Match": first})
        assert second.status_int == 200 and "Changed" in second

    def test_etag_changes_when_content_goes_live_with_no_commit(self, app, testapp,
                                                                 site_of):
        import time
        from datetime import datetime, timedelta, timezone
        from cupola.content.document import Document
        with site_of(app) as site:
            doc = publish(Document("Scheduled", "Goes live soon"))
            doc.effective = datetime.now(timezone.utc) + timedelta(seconds=1.2)
            site["news"].add("scheduled", doc)
        before = testapp.get("/news")
        assert "Scheduled" not in before
        time.sleep(1.5)  # nothing is committed meanwhile
        after = testapp.get("/news", headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_int == 200 and "Scheduled" in after

    def test_last_modified_is_sent(self, testapp):
        assert testapp.get("/welcome").headers["Last-Modified"]


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", ["/", "/welcome", "/nope", "/@@login"])
    def test_every_response_has_them(self, testapp, path):
        response = testapp.get(path, expect_errors=True)
        assert "frame-ancestors" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


class TestStaticResources:
    def test_fingerprinted_asset_is_cached_for_a_year(self, testapp):
        page = testapp.get("/")
        href = page.html.select_one("link[rel=stylesheet]")["href"]
        assert "?v=" in href
        css = testapp.get(href.replace("http://localhost", ""))
        assert css.content_type == "text/css"
        assert "immutable" in css.headers["Cache-Control"]
        assert "max-age=31536000" in css.headers["Cache-Control"]

    @pytest.mark.parametrize("path", [
        "/++resource++cupola/nope.css",
        "/++resource++cupola/../../pyproject.toml",
        "/++resource++cupola/%2e%2e/main_template.pt",
        "/++resource++",
    ])
    def test_missing_or_escaping_paths_are_404(self, testapp, path):
        response = testapp.get(path, expect_errors=True)
        assert response.status_int in (400, 404)


def png_bytes(width=3, height=2):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buf, "PNG")
    return buf.getvalue()


class TestFilesAndImages:
    def add_file(self, app, site_of, data=b"0123456789" * 100, name="report.txt",
                 ctype=None):
        from cupola.content.file import File
        with site_of(app) as site:
            site.add("f", File("Report", "", data, name, ctype))

    def test_download_streams_with_length_and_disposition(self, app, testapp, site_of):
        self.add_file(app, site_of)
        r = testapp.get("/f/@@download")
        assert r.body == b"0123456789" * 100
        assert r.headers["Content-Length"] == "1000"
        assert r.headers["Content-Disposition"] == 'attachment; filename="report.txt"'
        assert r.headers["Accept-Ranges"] == "bytes"

    def test_range_request_gets_206(self, app, testapp, site_of):
        self.add_file(app, site_of)
        r = testapp.get("/f/@@download", headers={"Range": "bytes=10-19"}, status=206)
        assert r.body == b"0123456789"
        assert r.headers["Content-Range"] == "bytes 10-19/1000"

    def test_unsatisfiable_range_gets_416(self, app, testapp, site_of):
        self.add_file(app, site_of)
        testapp.get("/f/@@download", headers={"Range": "bytes=5000-6000"}, status=416)

    def test_html_upload_is_never_shown_inline(self, app, testapp, site_of):
        self.add_file(app, site_of, b"<script>alert(1)</script>", "x.html", "text/html")
        r = testapp.get("/f/@@inline")
        assert r.headers["Content-Disposition"].startswith("attachment")

    def test_non_ascii_filename_is_encoded(self, app, testapp, site_of):
        self.add_file(app, site_of, b"x", "Über \"uns\".txt")
        cd = testapp.get("/f/@@download").headers["Content-Disposition"]
        assert cd == ("attachment; filename=\"_ber _uns_.txt\"; "
                      "filename*=UTF-8''%C3%9Cber%20%22uns%22.txt")

    def test_file_page_offers_download(self, app, testapp, site_of):
        self.add_file(app, site_of)
        page = testapp.get("/f")
        assert page.html.select_one("a[href$='/f/@@download']")
        assert "1,000 bytes" in page

    def test_image_reports_its_size(self, app, testapp, site_of):
        from cupola.content.file import Image
        with site_of(app) as site:
            site.add("pic", Image("Pic", "", png_bytes(3, 2), "pic.png"))
        page = testapp.get("/pic")
        img = page.html.select_one("figure img")
        assert (img["width"], img["height"]) == ("3", "2")
        inline = testapp.get("/pic/@@inline")
        assert inline.content_type == "image/png"
        assert inline.headers["Content-Disposition"].startswith("inline")


class TestLink:
    def test_link_page_shows_the_address(self, app, testapp, site_of):
        from cupola.content.document import Link
        with site_of(app) as site:
            publish(site.add("l", Link("Python", "", "https://www.python.org/")))
        page = testapp.get("/l")
        assert page.html.select_one("a[href='https://www.python.org/']")


class TestDocument:
    def test_pages_start_with_a_doctype(self, testapp):
        for path in ("/", "/welcome", "/@@login", "/missing"):
            assert testapp.get(path, expect_errors=True).text.startswith("<!DOCTYPE html>")

    def test_signed_in_etag_is_stable_across_processes(self, testapp):
        import subprocess, sys
        from conftest import sign_in
        sign_in(testapp)
        tag = testapp.get("/welcome").headers["ETag"]
        code = ("import hashlib;print(hashlib.blake2s(b'admin', digest_size=6).hexdigest())")
        digest = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                text=True).stdout.strip()
        assert f"-{digest}-" in tag


class TestListingSecurity:
    def test_private_children_are_not_listed_for_anonymous(self, app, testapp, site_of):
        from cupola.content.document import Document
        with site_of(app) as site:
            publish(site["news"].add("public", Document("Public news")))
            site["news"].add("private", Document("Private plans"))
        page = testapp.get("/news")
        assert "Public news" in page and "Private plans" not in page
        from conftest import sign_in
        sign_in(testapp)
        assert "Private plans" in testapp.get("/news")

    def test_batch_start_past_the_end_shows_the_first_page(self, app, testapp, site_of):
        add_docs(site_of, app, "many", 3)
        assert len(testapp.get("/many?b_start=50").html.select("ul.cards li")) == 3
