"""What the blog adds to the catalog; each getter is None for other content.

* ``blog_month`` (field): ``"2026-11"``, the UTC month of a post's
  publication date (its effective date); the archive and the month list
  (its facet counts) come from it.
* ``blog_pending`` (field): True for a post with comments awaiting
  moderation, None for the others.

No metadata column is added (every object of every site would carry it):
the lists load the posts of the page they show, a batch at a time.
"""

from datetime import timezone

from cupola_blog.comments import pending_count
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
    return True if pending_count(obj) else None


def includeme(config):
    config.add_catalog_index("blog_month", "field", blog_month)
    config.add_catalog_index("blog_pending", "field", blog_pending)
