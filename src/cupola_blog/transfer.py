"""A post's comments in a JSON export (``cupola export`` / ``import``).

Comments live in ``post._comments``, outside the post's schema, so the
blog registers a transfer handler: the export writes them, in order of
arrival, to ``<post>/_extra/cupola_blog.comments.json``::

    {"comments": [{"id": 1700000000000, "author": "Ann", "login": null,
                   "text": "…", "status": "pending",
                   "created": "2026-11-28T20:00:00+00:00",
                   "moderated_by": null}, …]}

and the import puts them back as they were: the same ids (so the same
order), authors, texts, dates and moderation state (a pending comment is
still waiting for a moderator). Attributes a newer version of the blog
keeps on a comment (text, whole numbers, true/false) travel as well.
"""

from datetime import datetime

from BTrees.LOBTree import LOBTree

from cupola_blog.comments import APPROVED, PENDING, REJECTED, Comment, reindex
from cupola_blog.content import IBlogPost

HANDLER = "cupola_blog.comments"
STATUSES = (PENDING, APPROVED, REJECTED)
FIELDS = ("id", "author", "login", "text", "status", "created", "moderated_by")
_TEXT = ("author", "text")
_TEXT_OR_NONE = ("login", "moderated_by")


def export_comments(post):
    """The comments of *post* as JSON data, or None when it has none."""
    tree = post._comments
    if not tree:
        return None
    found = []
    for key, comment in tree.items():
        comment._p_activate()  # a ghost's vars() are empty
        entry = {name: value for name, value in vars(comment).items()
                 if not name.startswith("_")
                 and name not in FIELDS and _plain(value)}
        entry.update(id=key, author=comment.author, login=comment.login,
                     text=comment.text, status=comment.status,
                     created=comment.created.isoformat(),
                     moderated_by=comment.moderated_by)
        found.append(entry)
    return {"comments": found}


def check_comments(data, files):
    """ValueError naming the comment at fault."""
    comments = data.get("comments")
    if not isinstance(comments, list):
        raise ValueError("'comments' must be a list")
    seen = set()
    for number, entry in enumerate(comments, 1):
        try:
            _check(entry, seen)
        except ValueError as e:
            raise ValueError(f"comment {number}: {e}") from None


def _check(entry, seen):
    if not isinstance(entry, dict):
        raise ValueError("must be an object")
    key = entry.get("id")
    if not isinstance(key, int) or isinstance(key, bool) or key < 0:
        raise ValueError("'id' must be a whole number of 0 or more")
    if key in seen:
        raise ValueError(f"the id {key} is used twice")
    seen.add(key)
    for name in _TEXT:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ValueError(f"{name!r} must be text")
    for name in _TEXT_OR_NONE:
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise ValueError(f"{name!r} must be text or null")
    if entry.get("status") not in STATUSES:
        raise ValueError(f"'status' must be one of {', '.join(STATUSES)}, "
                         f"not {entry.get('status')!r}")
    created = entry.get("created")
    try:
        when = datetime.fromisoformat(created)
    except (TypeError, ValueError):
        raise ValueError(f"'created' must be a date and time (ISO 8601), "
                         f"not {created!r}") from None
    if when.tzinfo is None:
        raise ValueError(f"'created' must give the UTC offset ({created!r})")
    for name, value in entry.items():
        if name not in FIELDS and (not name.isidentifier() or name.startswith("_")
                                   or not _plain(value)):
            raise ValueError(f"{name!r} is not something a comment keeps")


def import_comments(post, data, files):
    """Give the new *post* the comments of *data* (checked by check_comments)."""
    check_comments(data, files)
    tree = LOBTree()
    for entry in data["comments"]:
        comment = Comment(entry["author"], entry["text"], entry.get("login"),
                          entry["status"])
        comment.id = entry["id"]
        comment.created = datetime.fromisoformat(entry["created"])
        comment.moderated_by = entry.get("moderated_by")
        for name, value in entry.items():
            if name not in FIELDS:
                setattr(comment, name, value)
        tree[comment.id] = comment
    post._comments = tree
    reindex(post)


def _plain(value):
    return value is None or isinstance(value, (str, int, bool))


def includeme(config):
    config.add_transfer_handler(HANDLER, IBlogPost, export_comments,
                                import_comments, check=check_comments)
