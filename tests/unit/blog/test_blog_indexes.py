"""The blog's catalog getters: None for anything that is not a post."""

from datetime import datetime, timedelta, timezone

from cupola.content.document import Document
from cupola_blog.comments import APPROVED, add_comment
from cupola_blog.content import BlogPost
from cupola_blog.indexes import blog_month, blog_pending, month_of


def test_the_month_is_the_utc_month_of_the_publication_date():
    post = BlogPost("P")
    assert blog_month(post, None) is None  # not published yet
    east = timezone(timedelta(hours=5))
    post.effective = datetime(2026, 12, 1, 2, 0, tzinfo=east)  # 30 Nov in UTC
    assert blog_month(post, None) == "2026-11"
    assert month_of(datetime(2025, 1, 9, tzinfo=timezone.utc)) == "2025-01"


def test_pending_flags_posts_with_comments_waiting():
    post = BlogPost("P")
    assert blog_pending(post, None) is None
    add_comment(post, "Ann", "Approved one.", status=APPROVED)
    assert blog_pending(post, None) is None
    add_comment(post, "Bob", "Waiting one.")
    assert blog_pending(post, None) is True


def test_other_content_is_left_out():
    doc = Document("D")
    doc.effective = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert blog_month(doc, None) is None and blog_pending(doc, None) is None
