"""Comments through the web: a visitor's comment waits for moderation;
the moderation screen approves, rejects and deletes (POST + CSRF); the
honeypot drops silently; the rate limit answers 429 with Retry-After;
lengths and text are checked and shown safely; the blog decides who may
comment."""

import pytest
from webtest import TestApp

from blog_support import (add_blog, add_post, admin_browser, blog_app, comment, moderate,
                          pending_ids, person)
from blog_support import admin, app  # noqa: F401  (fixtures, found by name)
from conftest import Site, csrf_from


@pytest.fixture
def post(app, admin):
    blog = add_blog(admin)
    return add_post(admin, blog, "Hello")


def shown(browser, post):
    page = browser.get(post)
    return [(li.select_one(".comment-author").text,
             li.select_one(".comment-text").decode_contents())
            for li in page.html.select("#comments .comment")]


def stored(app, post):
    from cupola_blog.comments import comments_of
    with Site(app) as site:
        obj = site["team-blog"][post.rsplit("/", 1)[1]]
        return [(c.author, c.text, c.status, c.login) for c in comments_of(obj)]


class TestAComment:
    def test_a_visitor_comment_waits_for_moderation(self, app, post):
        visitor = TestApp(app)
        response = comment(visitor, post, "Ann", "Lovely bridge.")
        assert response.location == f"http://localhost{post}#comments"
        page = response.follow()
        assert "Thank you! Your comment awaits moderation." in \
            page.html.select_one(".status-messages").text
        assert shown(visitor, post) == []
        assert stored(app, post) == [("Ann", "Lovely bridge.", "pending", None)]

    def test_approved_it_is_shown_to_everyone(self, app, admin, post):
        comment(TestApp(app), post, "Ann", "Lovely bridge.")
        [key] = pending_ids(app, post)
        page = moderate(admin, "/team-blog", "hello", key, "approve").follow()
        assert "Comment approved" in page.text
        assert shown(TestApp(app), post) == [("Ann", "<p>Lovely bridge.</p>")]
        assert TestApp(app).get(post).html.select_one("#comments-heading").text == "1 comment"
        assert "1 comment" in TestApp(app).get("/team-blog").html.select_one(".blog-teaser .meta").text

    def test_rejected_it_stays_hidden_and_deleted_it_is_gone(self, app, admin, post):
        comment(TestApp(app), post, "Ann", "First.")
        comment(TestApp(app), post, "Bob", "Second.")
        first, second = pending_ids(app, post)
        moderate(admin, "/team-blog", "hello", first, "reject")
        moderate(admin, "/team-blog", "hello", second, "delete")
        assert shown(TestApp(app), post) == []
        assert stored(app, post) == [("Ann", "First.", "rejected", None)]
        page = admin.get("/team-blog/@@moderate-comments")
        assert page.html.select_one(".empty").text == "No comment waits for moderation."

    def test_a_signed_in_user_is_named_and_a_moderator_is_published_at_once(
            self, app, admin, post):
        reader = person(app, "rita", fullname="Rita Reader")
        form = reader.get(post).html.select_one("#comment-author")
        assert form["value"] == "Rita Reader"
        comment(reader, post, "Rita Reader", "Signed in.")
        response = comment(admin, post, "The editor", "Thanks all.")
        assert "Your comment is published." in response.follow().text
        assert stored(app, post) == [("Rita Reader", "Signed in.", "pending", "rita"),
                                     ("The editor", "Thanks all.", "approved", "admin")]


class TestModerationScreen:
    def test_it_lists_the_pending_comments_and_the_count(self, app, admin, post):
        other = add_post(admin, "/team-blog", "Other")
        comment(TestApp(app), post, "Ann", "On hello.")
        comment(TestApp(app), post, "Bob", "Also on hello.")
        comment(TestApp(app), other, "Cy", "On other.")
        page = admin.get("/team-blog/@@moderate-comments")
        assert page.html.select_one("#moderation-count").text == "3 comments wait"
        lists = {s.select_one("h2").text: [c.select_one(".comment-author").text
                                           for c in s.select(".comment")]
                 for s in page.html.select(".moderation-post")}
        assert lists == {"Hello": ["Ann", "Bob"], "Other": ["Cy"]}
        for form in page.html.select(".moderation-actions"):
            assert form["method"] == "post" and form.select_one("[name=_csrf]")["value"]
        # the count in the blog's bar, on its pages and on each post
        assert admin.get("/team-blog").html.select_one("#blog-pending-count").text == "3"
        assert admin.get(post).html.select_one("#blog-pending-count").text == "3"
        # and the toolbar links to the screen
        toolbar = [a["href"] for a in admin.get("/team-blog").html.select(".toolbar a")]
        assert "http://localhost/team-blog/@@moderate-comments" in toolbar

    def test_visitors_and_contributors_may_not_moderate(self, app, admin, post):
        comment(TestApp(app), post)
        [key] = pending_ids(app, post)
        visitor = TestApp(app)
        assert "@@login" in visitor.get("/team-blog/@@moderate-comments", status=303).location
        assert "blog-pending-count" not in visitor.get("/team-blog").text
        writer = person(app, "carl", roles=("Contributor",))
        writer.get("/team-blog/@@moderate-comments", status=403)
        page = writer.get("/team-blog")
        writer.post("/team-blog/@@moderate-comments",
                    {"_csrf": csrf_from(page), "post": "hello", "comment": key,
                     "action": "approve"}, status=403)
        assert pending_ids(app, post) == [key]

    def test_a_moderation_without_the_token_is_refused(self, app, admin, post):
        comment(TestApp(app), post)
        [key] = pending_ids(app, post)
        admin.post("/team-blog/@@moderate-comments",
                   {"post": "hello", "comment": key, "action": "approve"}, status=403)
        assert pending_ids(app, post) == [key]

    @pytest.mark.parametrize("fields, status", [
        ({"post": "hello", "comment": "1", "action": "publish"}, 400),
        ({"post": "nothing", "comment": "1", "action": "approve"}, 404),
    ])
    def test_bad_moderation_requests(self, app, admin, post, fields, status):
        page = admin.get("/team-blog/@@moderate-comments")
        admin.post("/team-blog/@@moderate-comments",
                   {"_csrf": csrf_from(page), **fields}, status=status)

    def test_a_comment_moderated_meanwhile_is_reported(self, app, admin, post):
        comment(TestApp(app), post)
        [key] = pending_ids(app, post)
        moderate(admin, "/team-blog", "hello", key, "delete")
        page = moderate(admin, "/team-blog", "hello", key, "approve").follow()
        assert "That comment is gone already" in page.text


class TestSpam:
    def test_a_filled_honeypot_is_dropped_without_a_word(self, app, post):
        bot = TestApp(app)
        response = comment(bot, post, "Bot", "Buy now http://spam.example", website="http://spam.example")
        honest = comment(TestApp(app), post, "Ann", "Real.")
        assert response.status_int == honest.status_int == 303
        assert response.location == honest.location
        assert "Thank you! Your comment awaits moderation." in response.follow().text
        assert stored(app, post) == [("Ann", "Real.", "pending", None)]

    def test_the_honeypot_is_hidden_from_people(self, app, post):
        page = TestApp(app).get(post)
        trap = page.html.select_one("[name=website]")
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
        assert trap.find_parent(class_="blog-hp")["aria-hidden"] == "true"

    def test_the_rate_limit_answers_429_with_retry_after(self, app, post):
        flood = TestApp(app, extra_environ={"REMOTE_ADDR": "203.0.113.9"})
        for n in range(5):
            comment(flood, post, "Flo", f"Comment {n}.")
        refused = comment(flood, post, "Flo", "One more.", status=429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 600
        assert refused.html.select_one("h1").text == "Too many comments"
        assert "Please try again in 10 minutes." in refused.text
        assert len(stored(app, post)) == 5
        # another address is not slowed down
        comment(TestApp(app, extra_environ={"REMOTE_ADDR": "198.51.100.7"}), post)
        assert len(stored(app, post)) == 6

    def test_honeypot_hits_count_toward_the_limit(self, app, post):
        bot = TestApp(app, extra_environ={"REMOTE_ADDR": "203.0.113.10"})
        for n in range(5):
            comment(bot, post, website="x")
        comment(bot, post, status=429)

    def test_the_limit_is_a_setting(self):
        app = blog_app(**{"cupola_blog.comment_limit": "2", "cupola_blog.comment_window": "60"})
        try:
            admin = admin_browser(app)
            blog = add_blog(admin)
            target = add_post(admin, blog, "Limited")
            visitor = TestApp(app)
            comment(visitor, target)
            comment(visitor, target)
            refused = comment(visitor, target, status=429)
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
        finally:
            app.db.close()


class TestText:
    def test_markup_is_shown_as_text_and_addresses_as_links(self, app, admin, post):
        comment(TestApp(app), post, "<b>Eve</b>",
                "<script>alert(1)</script> see https://example.org/a?b=1&c=2.\n\nBye")
        [key] = pending_ids(app, post)
        moderate(admin, "/team-blog", "hello", key, "approve")
        [(author, html)] = shown(TestApp(app), post)
        assert author == "<b>Eve</b>"
        page = TestApp(app).get(post)
        text = page.html.select_one(".comment-text")
        assert text.select("script") == [] and text.select("b") == []
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        link = text.select_one("a")
        assert link["href"] == "https://example.org/a?b=1&c=2"
        assert link["rel"] == ["nofollow", "ugc", "noopener"]
        assert [p.get_text() for p in text.select("p")][1] == "Bye"

    @pytest.mark.parametrize("author, text, field, message", [
        ("", "Hello.", "author", "Please give your name."),
        ("A" * 101, "Hello.", "author", "A name has at most 100 characters."),
        ("Ann", " ", "text", "Please write a comment."),
        ("Ann", "x" * 5001, "text", "A comment has at most 5000 characters (this one has 5001)."),
    ])
    def test_lengths_are_checked_and_the_form_kept(self, app, post, author, text, field, message):
        page = comment(TestApp(app), post, author, text, status=400)
        assert page.html.select_one(f"#comment-{field}-error").text == message
        assert page.html.select_one("#comment-text").text == text
        assert stored(app, post) == []

    def test_a_comment_without_the_token_is_refused(self, app, post):
        visitor = TestApp(app)
        visitor.get(post)
        visitor.post(f"{post}/@@comment", {"author": "Ann", "text": "Hi."}, status=403)
        assert stored(app, post) == []

    def test_each_visitor_gets_a_form_of_their_own(self, app, post):
        # the post page is never served from the anonymous response cache:
        # its token is bound to each browser's cookie
        one, two = TestApp(app), TestApp(app)
        one.get(post)
        page_one = one.get(post)   # the second look could come from a cache
        page_two = two.get(post)
        assert csrf_from(page_one) != csrf_from(page_two)
        for browser, name in ((two, "Two"), (one, "One")):
            comment(browser, post, name, "Hello.")
        assert [a for a, *_ in stored(app, post)] == ["Two", "One"]

    def test_the_form_needs_post(self, app, post):
        TestApp(app).get(f"{post}/@@comment", status=405)


class TestWhoMayComment:
    def test_signed_in_only(self, app, admin):
        blog = add_blog(admin, title="Members", comments="members")
        post = add_post(admin, blog, "For members")
        visitor = TestApp(app)
        page = visitor.get(post)
        assert page.html.select_one("#comment-form") is None
        assert "to comment" in page.html.select_one("#comments .notice").text
        login = page.html.select_one("#comments .notice a")["href"]
        assert login == "http://localhost/@@login?came_from=%2Fmembers%2Ffor-members"
        token = csrf_from(visitor.get("/@@login"))
        visitor.post(f"{post}/@@comment", {"_csrf": token, "author": "A",
                                           "text": "Hi."}, status=403)
        member = person(app, "mia")
        comment(member, post, "Mia", "Hi.")

    def test_closed(self, app, admin):
        blog = add_blog(admin, title="Quiet", comments="closed")
        post = add_post(admin, blog, "No comments")
        assert TestApp(app).get(post).html.select_one("#comment-form") is None
        page = admin.get(post)
        admin.post(f"{post}/@@comment", {"_csrf": csrf_from(page), "author": "A",
                                         "text": "Hi."}, status=403)

    def test_a_post_visitors_may_not_see_takes_no_comment(self, app, admin):
        blog = add_blog(admin)
        draft = add_post(admin, blog, "Draft", action="save")
        visitor = TestApp(app)
        page = visitor.get("/@@login")
        response = visitor.post(f"{draft}/@@comment", {"_csrf": csrf_from(page), "author": "A",
                                                       "text": "Hi."}, expect_errors=True)
        assert response.status_int in (303, 403)
        assert pending_ids(app, draft) == []
