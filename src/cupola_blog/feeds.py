"""RSS 2.0 and Atom feeds of a blog (``@@rss``, ``feed.xml``, ``@@atom``),
and of one of its tags (``?tag=NAME``).

They replace the core's folder feeds on a Blog, with the core's building
blocks (``cupola.views.feeds``: Channel, Entry, dates, the templates
``feed_rss.pt`` and ``feed_atom.pt``): the newest published posts by
publication date, one catalog query, nothing scheduled for later or
expired (also for editors: a feed lists what is live), the post's
excerpt as the summary and its author as the author.
"""

import html
import time

from webob import Response

from cupola.rendering import render_template
from cupola.security.roles import VIEW
from cupola.views.feeds import (FEED_MAX, FEED_SIZE, AtomFeed, Entry, Feed,
                                _stream, int_setting, rfc3339, rfc822, xml_text)
from cupola_blog.content import IBlog
from cupola_blog.listings import post_query


class BlogFeed(Feed):
    """The blog's newest live posts (see the module docstring)."""

    def __call__(self):
        blog, request = self.context, self.request
        tag = (request.GET.get("tag") or "").strip()
        size = int_setting(request.registry.settings, "feed_size", FEED_SIZE, FEED_MAX)
        page = request.registry.page_factory(request, blog, self)
        criteria = {"subject": tag} if tag else {}
        now = int(time.time())
        entries, newest = [], None
        for brain in _stream(post_query(blog, request, **criteria)):
            post = brain.getObject() if live(brain, now) else None
            if post is None:
                continue
            entries.append(self.post_entry(page, brain, post))
            newest = max(newest or 0, brain.effective, brain.modified or 0)
            if len(entries) == size:
                break
        if newest is None:
            newest = int(blog.modified.timestamp()) if blog.modified else now
        channel = self.channel(page, newest)
        if tag:
            title = f"{xml_text(blog.title)} · {xml_text(tag)} · {xml_text(request.site.title)}"
            channel = channel._replace(title=title)
        channel = channel._replace(self_url=request.url)
        values = {"page": page, "feed": channel, "entries": entries}
        body = render_template(request, self.template, values, self)
        return Response(body=body.encode("utf-8"), content_type=self.content_type,
                        charset="utf-8")

    def post_entry(self, page, brain, post):
        summary = xml_text(post.excerpt)
        author = post.author
        published = brain.effective
        return Entry(
            title=xml_text(brain.title) or brain.__name__, url=page.url(brain),
            summary=summary, summary_html=html.escape(summary),
            author=xml_text(author) or self.author(brain.creator),
            rfc822=rfc822(published),
            updated=rfc3339(max(published, brain.modified or 0)),
            published=rfc3339(published))


class BlogAtomFeed(BlogFeed):
    template = AtomFeed.template
    content_type = AtomFeed.content_type


def live(brain, now):
    """Published and inside its window (the feed ignores the reader's roles)."""
    return (brain.effective is not None and brain.effective <= now
            and (brain.expires is None or brain.expires > now))


def includeme(config):
    add = config.add_view
    add(BlogFeed, "rss", context=IBlog, permission=VIEW,
        template=BlogFeed.template, conditional=True)
    add(BlogFeed, "feed.xml", context=IBlog, permission=VIEW,
        template=BlogFeed.template, conditional=True)
    add(BlogAtomFeed, "atom", context=IBlog, permission=VIEW,
        template=BlogAtomFeed.template, conditional=True)
