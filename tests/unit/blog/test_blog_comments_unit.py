"""Comments without a site: checking, storing in a post, moderating, and
the HTML a comment's text becomes."""

import pytest

from cupola_blog.comments import (APPROVED, MAX_TEXT, PENDING, REJECTED, CommentError,
                                  add_comment, approved_count, check_comment,
                                  comment_html, comments_of, get_comment, moderate,
                                  pending_count)
from cupola_blog.content import BlogPost, shorten


class TestCheck:
    def test_strips_and_normalises_line_ends(self):
        assert check_comment("  Ann ", " a\r\nb ") == ("Ann", "a\nb")

    @pytest.mark.parametrize("author, text, fields", [
        ("", "hello", {"author"}),
        ("Ann", "x", {"text"}),
        ("", "", {"author", "text"}),
        ("A" * 101, "hello", {"author"}),
        ("Ann", "x" * (MAX_TEXT + 1), {"text"}),
    ])
    def test_refuses_with_the_fields_named(self, author, text, fields):
        with pytest.raises(CommentError) as info:
            check_comment(author, text)
        assert set(info.value.errors) == fields

    def test_accepts_the_limits(self):
        assert check_comment("A" * 100, "x" * MAX_TEXT)[1] == "x" * MAX_TEXT


class TestStoring:
    def test_comments_keep_their_order_and_status(self):
        post = BlogPost("P")
        first = add_comment(post, "Ann", "One.")
        second = add_comment(post, "Bob", "Two.", login="bob", status=APPROVED)
        assert first.id < second.id
        assert [c.author for c in comments_of(post)] == ["Ann", "Bob"]
        assert (pending_count(post), approved_count(post)) == (1, 1)
        assert get_comment(post, str(first.id)) is first
        assert get_comment(post, "nope") is None and get_comment(BlogPost("Q"), 1) is None

    def test_a_bad_comment_stores_nothing(self):
        post = BlogPost("P")
        with pytest.raises(CommentError):
            add_comment(post, "", "")
        assert post._comments is None

    def test_moderation(self):
        post = BlogPost("P")
        a, b, c = (add_comment(post, n, "Text.") for n in "abc")
        moderate(post, a, "approve", actor="ed")
        moderate(post, b, "reject")
        moderate(post, c, "delete")
        assert [(x.author, x.status) for x in comments_of(post)] == [
            ("a", APPROVED), ("b", REJECTED)]
        assert a.moderated_by == "ed"
        assert comments_of(post, PENDING) == []
        with pytest.raises(ValueError):
            moderate(post, a, "publish")


class TestHtml:
    @pytest.mark.parametrize("text, html", [
        ("Hello", "<p>Hello</p>"),
        ("a\nb\n\nc", "<p>a<br>b</p><p>c</p>"),
        ("<b>x</b> & y", "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>"),
        ("see https://example.org/x.", '<p>see <a href="https://example.org/x" '
                                       'rel="nofollow ugc noopener">https://example.org/x</a>.</p>'),
        ("(http://a.example/?q=1&r=2)", '<p>(<a href="http://a.example/?q=1&amp;r=2" '
                                        'rel="nofollow ugc noopener">http://a.example/?q=1&amp;r=2</a>)</p>'),
        ('http://x.example/"onmouseover="a', '<p><a href="http://x.example/" '
                                            'rel="nofollow ugc noopener">http://x.example/</a>'
                                            '&quot;onmouseover=&quot;a</p>'),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ("", ""),
    ])
    def test_text_to_html(self, text, html):
        assert str(comment_html(text)) == html


class TestShorten:
    @pytest.mark.parametrize("text, length, expected", [
        ("short text", 20, "short text"),
        ("one two three four", 10, "one two…"),
        ("   spaced\n\nout   words ", 100, "spaced out words"),
        ("abcdefghijkl", 5, "abcde…"),
        ("end, of. clause; here", 8, "end, of…"),
    ])
    def test_cuts_at_a_word(self, text, length, expected):
        assert shorten(text, length) == expected

    def test_a_post_excerpt_prefers_the_summary(self):
        post = BlogPost("P", "", "<p>Body <b>text</b></p>")
        assert post.excerpt == "Body text"
        post.description = "  Summary.  "
        assert post.excerpt == "Summary."
