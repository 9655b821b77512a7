"""A post's page and the comment form under it.

The page is not registered ``conditional``: its comment form carries a
CSRF token bound to the visitor's browser cookie, so one visitor's copy
must never be served to another from the anonymous response cache.

``<post>/@@comment`` (POST) takes a comment:

1. comments must be open on the blog (anyone, or signed-in users only);
2. the client address must be under the rate limit (``ratelimit``),
   else a 429 page with ``Retry-After``;
3. a filled honeypot field (``website``, hidden from people) drops the
   comment silently: the answer is the same 303 and message as for a
   comment taken;
4. name and text are checked (lengths); errors show the page again (400)
   with the visitor's text kept;
5. the comment is stored pending (approved at once when its writer may
   moderate), and the visitor is told it awaits moderation.
"""

import time
from urllib.parse import urlsplit

from cupola.admin.messages import redirect
from cupola.exceptions import Forbidden, HTTPError
from cupola.rendering import render_template
from cupola.security.auth import authenticated_user
from cupola.security.policy import has_permission
from cupola.security.roles import MODIFY, VIEW
from cupola_blog.comments import (APPROVED, MAX_NAME, MAX_TEXT, PENDING,
                                  CommentError, add_comment, comment_html,
                                  comments_of, pending_count)
from cupola_blog.content import ANYONE, CLOSED, MEMBERS, IBlogPost
from cupola_blog.listings import blog_macros, find_blog, lead_image, quote_segment
from cupola_blog.moderation import MODERATE, may_moderate, pending_total
from cupola_blog.ratelimit import client_address, limiter_for

HONEYPOT = "website"
THANKS = "Thank you! Your comment awaits moderation."


class TooManyComments(HTTPError):
    status = 429
    title = "Too many comments"
    explanation = ("You have sent several comments in a short time. "
                   "Please wait a few minutes before sending another one.")


def comment_policy(post):
    blog = find_blog(post)
    return getattr(blog, "comments", CLOSED) if blog is not None else CLOSED


class PostView:
    """A post: text, author, date, tags, lead image, comments and the form."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self, errors=None, submitted=None):
        post, request = self.context, self.request
        page = request.registry.page_factory(request, post, self)
        blog = find_blog(post)
        user = authenticated_user(request)
        policy = comment_policy(post)
        blog_url = page.url(blog) if blog is not None else None
        tag_base = page.url(blog, "tag") if blog is not None else None
        moderator = may_moderate(post, request)
        when = post.effective
        values = {
            "blog": blog, "blog_url": blog_url,
            "date_iso": when.isoformat() if when else "",
            "date": when.strftime("%-d %B %Y") if when else "",
            "scheduled": bool(when and when.timestamp() > time.time()),
            "tags": [(t, f"{tag_base}/{quote_segment(t)}" if tag_base else None)
                     for t in post.subjects or ()],
            "image": lead_image(request, page, post.lead_image),
            "comments": [{"author": c.author, "html": comment_html(c.text),
                          "iso": c.created.isoformat(),
                          "date": c.created.strftime("%-d %B %Y %H:%M UTC"),
                          "id": c.id}
                         for c in comments_of(post, APPROVED)],
            "pending": pending_count(post) if moderator else 0,
            "blog_pending": pending_total(blog, request)
            if moderator and blog is not None else 0,
            "moderation_url": page.url(blog, "moderate-comments")
            if moderator and blog is not None else None,
            "edit_url": page.url(post, "edit")
            if has_permission(MODIFY, post, request) else None,
            "can_comment": policy == ANYONE or (policy == MEMBERS and user is not None),
            "members_only": policy == MEMBERS and user is None,
            "comment_url": page.url(post, "comment"),
            "login_url": page.url(request.site, "login",
                                  came_from=urlsplit(page.url(post)).path),
            "errors": errors or {},
            "form": submitted or {"author": getattr(user, "fullname", "") if user else "",
                                  "text": ""},
            "honeypot": HONEYPOT, "max_name": MAX_NAME, "max_text": MAX_TEXT,
            "feed_url": page.url(blog, "rss") if blog is not None else None,
            "blog_macros": blog_macros(request),
        }
        return values


class CommentForm:
    """``@@comment``: take a comment (see the module docstring)."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        post, request = self.context, self.request
        page = request.registry.page_factory(request, post, self)
        back = page.url(post) + "#comments"
        user = authenticated_user(request)
        policy = comment_policy(post)
        if policy == CLOSED:
            raise Forbidden("Comments are closed on this blog.")
        if policy == MEMBERS and user is None:
            raise Forbidden("Sign in to comment on this blog.")
        limiter = limiter_for(request.registry)
        address = client_address(request)
        wait = limiter.wait_seconds(address)
        if wait:
            raise TooManyComments(
                f"Please try again in {minutes(wait)}.",
                headers={"Retry-After": str(wait)})
        form = request.form
        if (form.get(HONEYPOT) or "").strip():
            limiter.record(address)
            return redirect(request, back, THANKS)  # dropped, and not a word said
        author, text = form.get("author") or "", form.get("text") or ""
        moderator = has_permission(MODERATE, post, request)
        try:
            add_comment(post, author, text, login=user.login if user else None,
                        status=APPROVED if moderator else PENDING)
        except CommentError as e:
            values = PostView(post, request)(
                errors=e.errors, submitted={"author": author[:MAX_NAME * 2],
                                            "text": text[:MAX_TEXT * 2]})
            return self.render_errors(values)
        limiter.record(address)
        if moderator:
            return redirect(request, back, "Your comment is published.")
        return redirect(request, back, THANKS)

    def render_errors(self, values):
        from webob import Response
        body = render_template(self.request, "blog_post_view.pt", values, self)
        response = Response(body=body.encode("utf-8"), status=400,
                            content_type="text/html", charset="utf-8")
        response.cache_control = "no-store"
        return response


def minutes(seconds):
    if seconds < 60:
        return f"{seconds} seconds"
    n = -(-seconds // 60)
    return f"{n} minute" + ("" if n == 1 else "s")


def includeme(config):
    config.add_view(PostView, "view", context=IBlogPost, permission=VIEW,
                    template="blog_post_view.pt")
    config.add_view(CommentForm, "comment", context=IBlogPost, permission=VIEW,
                    request_method="POST")
