"""The blog in headless Chromium: activate it in @@addons, add a blog, an
image and a post with the image as its lead; a visitor comments (and
cannot see the honeypot), the editor approves the comment on the
moderation screen, the visitor sees it; then the blog on a phone."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect

from browser.conftest import (DESKTOP, PHONE, activate_addon, console_errors, serve,
                              sign_in)
from conftest import build_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    """A site of its own (the flow changes content); the blog installed, inactive."""
    app = build_app()
    with serve(app) as url:
        yield url


def make_png(path):
    from PIL import Image
    out = BytesIO()
    Image.new("RGB", (1600, 900), (40, 110, 170)).save(out, "PNG")
    path.write_bytes(out.getvalue())


def write_text(page, text):
    """Fill the post's text in the rich text editor, or its plain text area."""
    if page.locator("form[data-editor-src]").count() == 0:
        page.locator("#field-text").fill(f"<p>{text}</p>")
        return
    editor = page.locator(".rte-content[contenteditable=true]")
    editor.click()
    page.keyboard.type(text)


def test_blog_flow(chromium_browser, server, tmp_path):
    context = chromium_browser.new_context(base_url=server, **DESKTOP)
    page = context.new_page()
    errors = console_errors(page)
    try:
        sign_in(page)
        activate_addon(page, "cupola_blog", "Blog")

        # a blog, then an image in it
        page.goto("/++add++Blog")
        page.get_by_role("textbox", name="Title", exact=True).fill("Harbour blog")
        expect(page.get_by_label("Anyone, also visitors who are not signed in")).to_be_checked()
        page.get_by_role("button", name="Save & publish").click()
        page.wait_for_url("**/harbour-blog")
        expect(page.locator("#blog .empty")).to_have_text("No posts here yet.")
        photo = tmp_path / "harbour.png"
        make_png(photo)
        page.goto("/harbour-blog/++add++Image")
        page.get_by_label("Title").fill("Harbour at dawn")
        page.locator("input[type=file]").set_input_files(str(photo))
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url("**/harbour-blog/harbour-at-dawn")

        # a post from the blog's bar, with tags and the lead image
        page.goto("/harbour-blog")
        page.locator(".blog-bar").get_by_role("link", name="New post").click()
        page.get_by_role("textbox", name="Title", exact=True).fill("The new bridge opens")
        write_text(page, "After two years of work the bridge opens on Saturday.")
        page.get_by_label("Tags").fill("bridges, city")
        page.locator("[name='lead_image.add']").fill("/harbour-blog/harbour-at-dawn")
        page.get_by_role("button", name="Save & publish").click()
        page.wait_for_url("**/harbour-blog/the-new-bridge-opens")
        post = page.locator("#blog-post")
        expect(post.locator("h1")).to_have_text("The new bridge opens")
        expect(post.locator(".author")).to_have_text("Site administrator")
        expect(post.locator(".blog-lead-image img")).to_have_attribute(
            "src", re.compile(r"/harbour-blog/harbour-at-dawn/@@blog-scale/lead$"))
        # the scaled copy, not the 1600 pixels uploaded
        assert post.locator(".blog-lead-image img").evaluate("img => img.naturalWidth") == 1280
        expect(post.locator(".tag-list a")).to_have_text(["bridges", "city"])
        assert not errors, errors
    finally:
        context.close()

    # a visitor comments; the honeypot is out of sight
    visitor_context = chromium_browser.new_context(base_url=server, **DESKTOP)
    visitor = visitor_context.new_page()
    try:
        visitor.goto("/harbour-blog")
        visitor.get_by_role("link", name="The new bridge opens").first.click()
        form = visitor.locator("#comment-form")
        expect(form.locator("[name=website]")).not_to_be_in_viewport()
        form.get_by_label("Your name").fill("Ann Visitor")
        form.get_by_label("Comment").fill("Finally! See https://example.org/bridge for photos.")
        form.get_by_role("button", name="Send comment").click()
        expect(visitor.locator(".status-messages")).to_have_text(
            "Thank you! Your comment awaits moderation.")
        expect(visitor.locator("#comments .comment")).to_have_count(0)
    except Exception:
        visitor_context.close()  # kept open on success: the visitor comes back below
        raise

    # the editor approves it on the moderation screen, reached from the toolbar
    context = chromium_browser.new_context(base_url=server, **DESKTOP)
    page = context.new_page()
    try:
        sign_in(page)
        page.goto("/harbour-blog")
        expect(page.locator("#blog-pending-count")).to_have_text("1")
        page.get_by_role("navigation", name="Editing").get_by_role("link", name="Comments").click()
        page.wait_for_url("**/@@moderate-comments")
        row = page.locator(".moderation-post .comment")
        expect(row.locator(".comment-author")).to_have_text("Ann Visitor")
        page.screenshot(path=str(tmp_path / "blog-moderation.png"), full_page=True)
        row.get_by_role("button", name="Approve").click()
        expect(page.locator(".status-messages")).to_contain_text("Comment approved")
        expect(page.locator("#blog-moderation .empty")).to_have_text(
            "No comment waits for moderation.")
    finally:
        context.close()

    try:
        visitor.reload()
        comment = visitor.locator("#comments .comment")
        expect(comment.locator(".comment-author")).to_have_text("Ann Visitor")
        expect(comment.locator("a")).to_have_attribute("rel", "nofollow ugc noopener")
        expect(visitor.locator("#comments-heading")).to_have_text("1 comment")
        visitor.screenshot(path=str(tmp_path / "blog-post-with-comment.png"), full_page=True)
    finally:
        visitor_context.close()

    # the blog on a phone: nothing too wide, the sidebar below the posts
    phone = chromium_browser.new_context(base_url=server, **PHONE)
    reader = phone.new_page()
    try:
        reader.goto("/harbour-blog")
        expect(reader.locator(".blog-teaser h2")).to_have_text(["The new bridge opens"])
        expect(reader.locator(".blog-months li")).to_have_count(1)
        teaser = reader.locator(".blog-teaser-image img")
        assert teaser.evaluate("img => img.complete && img.naturalWidth") == 640
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390
        reader.goto("/harbour-blog/@@tag/bridges")
        expect(reader.locator("h1")).to_have_text("Posts tagged “bridges”")
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390
        reader.screenshot(path=str(tmp_path / "blog-phone.png"), full_page=True)
    finally:
        phone.close()
