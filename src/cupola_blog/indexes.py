"""What the blog adds to the catalog; each getter is None for other content.

* ``blog_month`` (field): ``"2026-11"``, the UTC month of a post's
  publication date (its effective date); the archive and the month list
  (its facet counts) come from it.
* ``blog_pending`` (field): the number of a post's comments awaiting
  moderation, None when there are none.
* ``blog_post`` (column): ``(excerpt, author, lead image uuid, approved
  comments, pending comments)``, what the lists show without loading posts.
"""

from datetime import timezone

from cupola_blog.comments import approved_count, pending_count
from cupola_blog.content import IBlogPost


def month_of(when):
    """``"YYYY-MM"`` of an aware datetime, in UTC."""
    return when.astimezone(timezone.utc).strftime("%Y-%m")


def blog_month(obj, registry):
    if not IBlogPost.providedBy(obj) or obj.effective is None:
        return None
    return month_of(obj.effective)


def blog_pending(obj, registry):
    if not IBlogPost.providedBy(obj):
        return None
    return pending_count(obj) or None


def blog_post(obj, registry):
    if not IBlogPost.providedBy(obj):
        return None
    return (obj.excerpt, obj.author or "", obj.lead_image or None,
            approved_count(obj), pending_count(obj))


def includeme(config):
    config.add_catalog_index("blog_month", "field", blog_month)
    config.add_catalog_index("blog_pending", "field", blog_pending)
    config.add_catalog_column("blog_post", blog_post)
