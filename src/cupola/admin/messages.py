"""Status messages ("User saved.") shown once on the next page.

A view that changes something answers with ``redirect(request, url,
"Saved.")``: a 303 whose response carries the messages in a short-lived
cookie signed with the site's secret. The next page shows them through
``page.messages`` (which calls ``pop_messages``) in the main template.

Clearing: a cookie can only be removed by a response, and pages returned
as dicts are built by the publisher. So:

* the cookie names the path it was meant for, and only that page shows
  it: going on to another page never repeats a message;
* the cookie lives ``MAX_AGE`` seconds at most, and its signature carries
  a time, so an old one is ignored even if a browser keeps it;
* every admin page (``cupola.admin.forms.render``) and every redirect
  replaces or deletes it;
* ``pop_messages`` adds the cookie name to
  ``request.environ["cupola.delete_cookies"]``; the publisher deletes the
  cookies listed there on the way out (two lines in ``Application.__call__``).

Messages are plain text; templates escape them.
"""

from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from webob import Response

COOKIE = "cupola_messages"
MAX_AGE = 60        # seconds: long enough to follow a redirect
MAX_MESSAGES = 5
MAX_LENGTH = 300    # characters per message
KINDS = ("success", "error", "info")
PENDING = "cupola.messages"         # [(text, kind)] added during this request
DELETE = "cupola.delete_cookies"    # [cookie name] for the publisher to delete


class Message(NamedTuple):
    text: str
    kind: str = "success"

    @property
    def css(self):
        """Classes of the public skin: ``notice`` or ``error-message``."""
        base = "error-message" if self.kind == "error" else "notice"
        return f"{base} status-{self.kind}"


def _serializer(request):
    return URLSafeTimedSerializer(request.site.settings["secret"],
                                  salt="cupola.messages")


def add_message(request, text, kind="success"):
    """Keep *text* to show on the next page (or on this one, if rendered)."""
    if kind not in KINDS:
        raise ValueError(f"message kind {kind!r} is not one of {KINDS}")
    pending = request.environ.setdefault(PENDING, [])
    pending.append((str(text)[:MAX_LENGTH], kind))


def redirect(request, url, message=None, kind="success"):
    """A 303 to *url* carrying the pending messages (and *message*)."""
    if message:
        add_message(request, message, kind)
    response = Response(status=303, location=url)
    pending = request.environ.pop(PENDING, [])[-MAX_MESSAGES:]
    _unmark(request)
    if pending:
        value = {"to": unquote(urlsplit(url).path) or "/",
                 "m": [list(m) for m in pending]}
        response.set_cookie(
            COOKIE, _serializer(request).dumps(value),
            max_age=MAX_AGE, httponly=True, samesite="Lax", path="/",
            secure=request.scheme == "https")
    elif COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path="/")
    return response


def pop_messages(request):
    """[Message] for this page: from the cookie, then added in this request.

    Marks the cookie for deletion (see the module docstring).
    """
    found = []
    env = request.environ
    if COOKIE in env.get("HTTP_COOKIE", ""):
        found.extend(_read(request, request.cookies.get(COOKIE)))
        marked = env.setdefault(DELETE, [])
        if COOKIE not in marked:
            marked.append(COOKIE)
    found.extend(Message(text, kind) for text, kind in env.pop(PENDING, []))
    return found


def clear(request, response):
    """Delete the cookie on *response* if this request showed its messages."""
    if COOKIE in request.environ.get(DELETE, ()):
        response.delete_cookie(COOKIE, path="/")
        _unmark(request)
    return response


def _unmark(request):
    marked = request.environ.get(DELETE)
    if marked and COOKIE in marked:
        marked.remove(COOKIE)


def _here(request):
    """This request's path, decoded like the ``to`` of the cookie."""
    env = request.environ
    raw = env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", "")
    return raw.encode("latin-1").decode("utf-8", "replace") or "/"


def _read(request, value):
    """The messages of cookie *value* if it is genuine, fresh and for this page."""
    try:
        data = _serializer(request).loads(value or "", max_age=MAX_AGE)
    except BadSignature:
        return []
    if not isinstance(data, dict) or data.get("to") != _here(request) \
            or not isinstance(data.get("m"), list):
        return []
    messages = []
    for item in data["m"][:MAX_MESSAGES]:
        if (isinstance(item, list) and len(item) == 2
                and isinstance(item[0], str) and item[1] in KINDS):
            messages.append(Message(item[0][:MAX_LENGTH], item[1]))
    return messages
