"""Comments on posts: stored in the post, moderated, shown as plain text.

A post keeps its comments in ``post._comments``, a LOBTree ``{id:
Comment}`` whose ids are milliseconds since the epoch (so in order of
arrival). A comment is ``pending`` until an editor approves it
(``approved``) or rejects it (``rejected``: kept, never shown); deleting
removes it. Comments are not catalogued as pages: the post's catalog
entry says whether it has pending comments (the ``blog_pending``
index), so the moderation screen finds the posts that need it without
walking the blog.

Text is kept as written and shown escaped, paragraphs at blank lines and
``http(s)://`` addresses as links with ``rel="nofollow ugc"``.
"""

import re
import time
from datetime import datetime, timezone
from html import escape

from BTrees.LOBTree import LOBTree
from chameleon.utils import Markup
from persistent import Persistent

from cupola.catalog import find_catalog
from cupola.catalog.queue import queue_for

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MAX_NAME = 100
MAX_TEXT = 5000
MIN_TEXT = 2
BLOG_INDEXES = ("blog_pending",)


class Comment(Persistent):
    """One comment: who wrote it (a name, and the login when signed in),
    the text, when, and its moderation status."""

    def __init__(self, author, text, login=None, status=PENDING):
        self.author, self.text, self.login = author, text, login
        self.status = status
        self.created = datetime.now(timezone.utc)
        self.id = None
        self.moderated_by = None


class CommentError(ValueError):
    """A comment that cannot be taken; ``errors`` maps fields to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_comment(author, text):
    """(author, text) stripped; CommentError naming what is wrong."""
    author, text = (author or "").strip(), (text or "").strip()
    errors = {}
    if not author:
        errors["author"] = "Please give your name."
    elif len(author) > MAX_NAME:
        errors["author"] = f"A name has at most {MAX_NAME} characters."
    if len(text) < MIN_TEXT:
        errors["text"] = "Please write a comment."
    elif len(text) > MAX_TEXT:
        errors["text"] = (f"A comment has at most {MAX_TEXT} characters "
                          f"(this one has {len(text)}).")
    if errors:
        raise CommentError(errors)
    return author, text.replace("\r\n", "\n")


def add_comment(post, author, text, login=None, status=PENDING):
    """Store a new comment in *post* (after check_comment); return it."""
    author, text = check_comment(author, text)
    tree = post._comments
    if tree is None:
        tree = post._comments = LOBTree()
    key = int(time.time() * 1000)
    while key in tree:
        key += 1
    comment = Comment(author, text, login, status)
    comment.id = key
    tree[key] = comment
    reindex(post)
    return comment


def comments_of(post, status=None):
    """The comments of *post* in order of arrival (only *status* if given)."""
    tree = post._comments
    if tree is None:
        return []
    return [c for c in tree.values() if status is None or c.status == status]


def get_comment(post, key):
    """The comment *key* (an int or its text) of *post*, or None."""
    try:
        key = int(key)
    except (TypeError, ValueError):
        return None
    tree = post._comments
    return tree.get(key) if tree is not None else None


def pending_count(post):
    return sum(1 for c in comments_of(post) if c.status == PENDING)


def approved_count(post):
    return sum(1 for c in comments_of(post) if c.status == APPROVED)


def moderate(post, comment, action, actor=None):
    """Approve, reject or delete *comment* of *post*; ValueError otherwise."""
    if action == "delete":
        del post._comments[comment.id]
    elif action in ("approve", "reject"):
        comment.status = APPROVED if action == "approve" else REJECTED
        comment.moderated_by = actor
    else:
        raise ValueError(f"unknown moderation action {action!r}")
    reindex(post)


def reindex(post):
    """Queue *post*'s blog index and its metadata for this transaction."""
    catalog = find_catalog(post)
    queue = catalog is not None and queue_for(catalog)
    if queue:
        queue.add(post, BLOG_INDEXES)


# -- showing the text -----------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _linked(line):
    out, last = [], 0
    for match in _URL.finditer(line):
        url = match.group().rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(escape(line[last:match.start()]))
        out.append(f'<a href="{escape(url)}" rel="nofollow ugc noopener">'
                   f"{escape(url)}</a>")
        last = end
    out.append(escape(line[last:]))
    return "".join(out)


def comment_html(text):
    """*text* as HTML: escaped, paragraphs, line breaks and links (Markup)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]
    return Markup("".join(
        "<p>" + "<br>".join(_linked(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs))
