"""``<blog>/@@moderate-comments``: the comments awaiting moderation.

The screen lists, post by post (newest post first), the comments that
wait, each with Approve, Reject and Delete buttons: POST forms with the
CSRF token that answer with a redirect back and a message. The posts are
found with the catalog (``blog_pending``), not by walking the blog; the
count shown on the blog's pages comes from the same query.
"""

from cupola.admin.messages import redirect
from cupola.catalog import find_catalog, path_of
from cupola.exceptions import BadRequest, NotFound
from cupola.security.auth import authenticated_user
from cupola.security.policy import has_permission
from cupola.views.batch import Batch, read_int
from cupola_blog.comments import (PENDING, comment_html, comments_of, get_comment,
                                  moderate, pending_count)
from cupola_blog.content import IBlog, IBlogPost

MODERATE = "cupola_blog.ModerateComments"
PAGE_SIZE = 20  # posts per page of the screen
ACTIONS = {"approve": "Comment approved: it is shown under the post.",
           "reject": "Comment rejected: it stays hidden.",
           "delete": "Comment deleted."}


def may_moderate(obj, request):
    return request is not None and authenticated_user(request) is not None \
        and has_permission(MODERATE, obj, request)


def posts_waiting(blog, request, **batching):
    """Catalog results of the posts of *blog* with comments waiting."""
    catalog = find_catalog(blog)
    _, path = path_of(blog)
    if catalog is None or path is None:
        return []
    return catalog.search(request, path=path, type="BlogPost", blog_pending=True,
                          sort_on="created", reverse=True, **batching)


def pending_total(blog, request):
    """How many comments wait in the posts of *blog* the user may see."""
    total = 0
    for brain in posts_waiting(blog, request):
        post = brain.getObject()
        total += pending_count(post) if post is not None else 0
    return total


class ModerationView:
    """GET: the list; POST: approve, reject or delete one comment."""

    def __init__(self, context, request):
        self.context, self.request = context, request
        self.page = request.registry.page_factory(request, context, self)

    def __call__(self):
        if self.request.method == "POST":
            return self.act()
        return self.show()

    def show(self):
        request, blog = self.request, self.context
        start = read_int(request, "b_start", 0, 0)
        start -= start % PAGE_SIZE
        results = posts_waiting(blog, request, batch_start=start, batch_size=PAGE_SIZE)
        total = len(results)
        posts = []
        for brain in results[start:start + PAGE_SIZE]:
            post = brain.getObject()
            if post is None or not has_permission(MODERATE, post, request):
                continue
            posts.append({"title": post.title or post.__name__, "name": post.__name__,
                          "url": self.page.url(post),
                          "comments": [self.row(c) for c in comments_of(post, PENDING)]})
        return {"posts": posts, "batch": Batch(posts, start, PAGE_SIZE, total),
                "pending": pending_total(blog, request), "blog": blog,
                "blog_url": self.page.url(blog),
                "action_url": self.page.url(blog, "moderate-comments"),
                "page_url": lambda s: self.page.url(blog, "moderate-comments", b_start=s)}

    def row(self, comment):
        return {"id": comment.id, "author": comment.author,
                "html": comment_html(comment.text), "login": comment.login,
                "date": comment.created.strftime("%-d %B %Y %H:%M UTC"),
                "iso": comment.created.isoformat()}

    def act(self):
        request, blog = self.request, self.context
        form = request.form
        action = form.get("action")
        if action not in ACTIONS:
            raise BadRequest("Choose Approve, Reject or Delete.")
        post = blog.get(form.get("post") or "")
        if post is None or not IBlogPost.providedBy(post):
            raise NotFound("No such post in this blog.")
        if not has_permission(MODERATE, post, request):
            raise NotFound("No such post in this blog.")
        comment = get_comment(post, form.get("comment"))
        if comment is None:
            back = self.page.url(blog, "moderate-comments")
            return redirect(request, back, "That comment is gone already "
                            "(someone else moderated it).", "info")
        user = authenticated_user(request)
        moderate(post, comment, action, actor=user.login if user else None)
        return redirect(request, self.page.url(blog, "moderate-comments"), ACTIONS[action])


def includeme(config):
    from cupola.admin.toolbar import add_toolbar_action
    config.add_view(ModerationView, "moderate-comments", context=IBlog,
                    permission=MODERATE, template="blog_moderation.pt",
                    request_method=("GET", "HEAD", "POST"))
    add_toolbar_action(config, "moderate-comments", "Comments", context=IBlog,
                       order=55)
