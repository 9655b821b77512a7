"""The blog's lists of posts, all from catalog queries and batched:

* the blog's front page (``/blog``): published posts, newest first;
* the archive (``/blog/@@archive/2026`` and ``/blog/@@archive/2026/11``);
* tag pages (``/blog/@@tag/NAME``);
* beside each of them the month list with counts (facets of
  ``blog_month``) and the tags in use (facets of ``subject``).

The catalog filters what the reader may see: Anonymous gets published
posts inside their publication window only; editors also see the posts
scheduled for later (marked as such).
"""

import re
import time
from datetime import datetime, timezone

from cupola.catalog import find_catalog, path_of
from cupola.content.references import find_by_uuid
from cupola.exceptions import NotFound
from cupola.rendering import custom_layer_site
from cupola.interfaces import IImage
from cupola.security.policy import has_permission
from cupola.security.roles import VIEW
from cupola.views.batch import Batch, read_int
from cupola_blog.comments import approved_count
from cupola_blog.content import IBlog
from cupola_blog.moderation import may_moderate, pending_total
from cupola_blog.scales import SIZES, scaled_size

PAGE_SIZE = 10
TAG_LIST = 50  # tags in the side list
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")


def find_blog(obj):
    """The blog *obj* is in (or is), else None."""
    while obj is not None:
        if IBlog.providedBy(obj):
            return obj
        obj = getattr(obj, "__parent__", None)
    return None


def post_query(blog, request, **criteria):
    """The catalog results of the published posts of *blog*, newest first."""
    catalog = find_catalog(blog)
    _, path = path_of(blog)
    if catalog is None or path is None:
        raise NotFound("This blog is not in a catalogued site.")
    return catalog.search(request, path=path, type="BlogPost", state="published",
                          sort_on="effective", reverse=True, **criteria)


def month_title(key):
    match = _MONTH_KEY.match(key or "")
    if not match:
        return key
    return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"


def lead_image(request, page, uid, size="lead"):
    """{url, width, height, alt} of the Image *uid*, at the scale *size*
    (``cupola_blog.scales``), if the reader may see it; else None."""
    if not uid:
        return None
    image = find_by_uuid(request.site, uid)
    if image is None or not IImage.providedBy(image) \
            or not has_permission(VIEW, image, request):
        return None
    width, height = scaled_size(image.width, image.height, SIZES[size])
    return {"url": f"{page.url(image, 'blog-scale')}/{size}", "width": width,
            "height": height, "alt": image.description or image.title or ""}


def when(epoch):
    """(ISO datetime, "28 November 2026") of epoch seconds, UTC."""
    if epoch is None:
        return "", ""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.isoformat(), moment.strftime("%-d %B %Y")


class BlogList:
    """A batch of posts of the blog, with the month and tag lists."""

    view_name = "view"
    subpath = ()

    def __init__(self, context, request):
        self.context, self.request = context, request
        self.page = request.registry.page_factory(request, context, self)

    def criteria(self):
        return {}

    def heading(self):
        return self.context.title

    def entry(self, brain, now):
        post = brain.getObject()
        if post is None:
            return None
        iso, text = when(brain.effective)
        page = self.page
        return {"title": brain.title or brain.__name__, "url": page.url(brain),
                "excerpt": post.excerpt, "author": post.author, "iso": iso,
                "date": text, "comments": approved_count(post),
                "scheduled": bool(brain.effective and brain.effective > now),
                "tags": [(tag, self.tag_url(tag)) for tag in brain.subjects or ()],
                "image": lead_image(self.request, page, post.lead_image, "teaser")}

    def tag_url(self, tag):
        return f"{self.page.url(self.context, 'tag')}/{quote_segment(tag)}"

    def batch(self):
        request = self.request
        start = read_int(request, "b_start", 0, 0)
        start -= start % PAGE_SIZE
        results = post_query(self.context, request, batch_start=start,
                             batch_size=PAGE_SIZE, **self.criteria())
        total = len(results)
        if start >= total:
            start = 0
        now = int(time.time())
        items = [e for e in (self.entry(b, now) for b in results[start:start + PAGE_SIZE])
                 if e is not None]
        return Batch(items, start, PAGE_SIZE, total)

    def sidebar(self):
        """Months with counts (newest first) and tags with counts."""
        facets = post_query(self.context, self.request).facets(
            "blog_month", "subject", limit=1000)
        months = sorted(facets["blog_month"], reverse=True)
        url = self.page.url(self.context, "archive")
        return {
            "months": [{"title": month_title(key), "count": n,
                        "url": f"{url}/{key[:4]}/{key[5:]}"} for key, n in months],
            # the 50 most used tags, in alphabetical order
            "tags": sorted(({"title": tag, "count": n, "url": self.tag_url(tag)}
                            for tag, n in facets["subject"][:TAG_LIST]),
                           key=lambda t: t["title"].casefold()),
        }

    def page_url(self, start):
        url = self.page.url(self.context, None if self.view_name == "view"
                            else self.view_name)
        if self.subpath:
            url += "/" + "/".join(quote_segment(s) for s in self.subpath)
        return f"{url}?b_start={start}"

    def feeds(self):
        return {"rss_url": self.page.url(self.context, "rss"),
                "atom_url": self.page.url(self.context, "atom")}

    def __call__(self):
        values = {"batch": self.batch(), "heading": self.heading(),
                  "page_url": self.page_url, "blog": self.context,
                  "blog_url": self.page.url(self.context),
                  "moderation_url": None, "blog_pending": 0,
                  "blog_macros": blog_macros(self.request)}
        values.update(self.sidebar())
        values.update(self.feeds())
        if may_moderate(self.context, self.request):
            values["moderation_url"] = self.page.url(self.context, "moderate-comments")
            values["blog_pending"] = pending_total(self.context, self.request)
        if has_permission("cupola_blog.AddPost", self.context, self.request) \
                and has_permission("cupola.AddContent", self.context, self.request):
            values["add_url"] = self.page.url(self.context) + "/++add++BlogPost"
        else:
            values["add_url"] = None
        return values


class Archive(BlogList):
    """``@@archive/YEAR`` or ``@@archive/YEAR/MONTH`` (or ``@@archive?year=&month=``):
    that year's or month's posts."""

    view_name = "archive"

    def __init__(self, context, request):
        super().__init__(context, request)
        parts = tuple(request.subpath or ())
        if not parts:  # @@archive?year=2026&month=11, as a form sends it
            parts = tuple(p for p in (request.GET.get("year", "").strip(),
                                      request.GET.get("month", "").strip()) if p)
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts):
            raise NotFound("An archive address is @@archive/YEAR or @@archive/YEAR/MONTH.")
        year = int(parts[0])
        month = int(parts[1]) if len(parts) == 2 else None
        if not 1 <= year <= 9999 or (month is not None and not 1 <= month <= 12):
            raise NotFound("No such month.")
        self.year, self.month = year, month
        self.subpath = (f"{year:04d}",) + ((f"{month:02d}",) if month else ())

    def criteria(self):
        if self.month is not None:
            return {"blog_month": f"{self.year:04d}-{self.month:02d}"}
        return {"blog_month": [f"{self.year:04d}-{m:02d}" for m in range(1, 13)]}

    def heading(self):
        if self.month is None:
            return f"Posts of {self.year}"
        return f"Posts of {MONTHS[self.month - 1]} {self.year}"


class TagPage(BlogList):
    """``@@tag/NAME``: the posts with that tag, and its own feeds."""

    view_name = "tag"

    def __init__(self, context, request):
        super().__init__(context, request)
        # WSGI servers decode %2F, so a tag with "/" arrives in several parts
        tag = "/".join(request.subpath or ())
        if not tag.strip():
            raise NotFound("A tag address is @@tag/NAME.")
        self.tag = tag
        self.subpath = (tag,)

    def criteria(self):
        return {"subject": self.tag}

    def heading(self):
        return f"Posts tagged “{self.tag}”"

    def feeds(self):
        return {"rss_url": self.page.url(self.context, "rss", tag=self.tag),
                "atom_url": self.page.url(self.context, "atom", tag=self.tag)}


def blog_macros(request):
    return request.registry.skins.template("blog_macros.pt", custom_layer_site(request))


def quote_segment(text):
    from urllib.parse import quote
    return quote(text, safe="")


def includeme(config):
    config.add_view(BlogList, "view", context=IBlog, permission=VIEW,
                    template="blog_front.pt")
    config.add_view(Archive, "archive", context=IBlog, permission=VIEW,
                    template="blog_front.pt", accepts_subpath=True)
    config.add_view(TagPage, "tag", context=IBlog, permission=VIEW,
                    template="blog_front.pt", accepts_subpath=True)
