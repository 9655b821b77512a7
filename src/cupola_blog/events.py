"""Event handlers of posts: the author's name, the publication date.

* A post added without an author gets its creator's full name.
* A post published without a publication date gets the time of
  publishing as its effective date (the date the blog shows, sorts and
  files it in the archive by). A date set by hand is kept, so a post
  published with a date in the future is scheduled: visitors, lists and
  feeds see it from that time on.
"""

from datetime import datetime, timezone

from cupola.catalog import find_catalog
from cupola.catalog.queue import queue_for
from cupola.content.trash import find_site
from cupola.interfaces import IObjectAdded, IObjectTransitioned
from cupola_blog.content import IBlogPost


def full_name(site, login):
    """The full name of user *login* of *site*, or ""."""
    users = getattr(site, "users", None)
    user = users.get(login) if users is not None and login else None
    return (getattr(user, "fullname", "") or "") if user is not None else ""


def on_post_added(post, event):
    if not (post.author or "").strip() and post.creator:
        post.author = full_name(find_site(post), post.creator) or post.creator


def on_post_transitioned(post, event):
    if getattr(event.to_state, "name", None) != "published" or post.effective:
        return
    post.effective = datetime.now(timezone.utc).replace(microsecond=0)
    catalog = find_catalog(post)
    queue = catalog is not None and queue_for(catalog)
    if queue:
        queue.add(post)  # every index: effective and blog_month changed


def includeme(config):
    config.add_subscriber(on_post_added, IBlogPost, IObjectAdded)
    config.add_subscriber(on_post_transitioned, IBlogPost, IObjectTransitioned)
