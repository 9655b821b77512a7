"""Finding wiki links in sanitised HTML: WikiWords and ``[[Page|label]]``.

The HTML is split into tags and text (nh3 serialises every attribute in
double quotes with ``"`` escaped, so the tag pattern is exact); only text
outside ``<a>``, ``<code>``, ``<pre>``, ``<kbd>`` and ``<samp>`` is looked at.
The result is a list of parts: strings of HTML, kept as they were, and
``Link(name, label)`` where a link was written, which the page view turns
into an anchor (or a "create" link, or plain text) when it is shown.
"""

import html
import re
from typing import NamedTuple

from cupola_wiki.names import page_name

_TAG = re.compile(r'(<[^>"]*(?:"[^"]*"[^>"]*)*>)')
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
SKIP = frozenset({"a", "code", "pre", "kbd", "samp"})
# [[target]] or [[target|label]]; a WikiWord: two or more capitalised parts,
# not inside a word or a path; "!" before it keeps it unlinked
_LINKS = re.compile(
    r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"
    r"|(!?)(?<![\w/.#-])((?:[A-Z][a-z0-9]+){2,})(?![\w/])")


class Link(NamedTuple):
    name: str   # the page name the link points at (cupola_wiki.names)
    label: str  # the text shown, unescaped
    target: str  # the page as written: the title of a page made from the link


def link_parts(html_text):
    """[str | Link] of *html_text*; joining the strings and the escaped
    labels gives back the text with the link syntax removed."""
    parts, open_tags = [], []
    for piece in _TAG.split(html_text or ""):
        if not piece:
            continue
        if piece.startswith("<"):
            _follow(piece, open_tags)
            _add(parts, piece)
        elif any(tag in SKIP for tag in open_tags):
            _add(parts, piece)
        else:
            _scan(piece, parts)
    return parts


def _follow(tag, open_tags):
    match = _TAG_NAME.match(tag)
    if not match:
        return
    closing, name = match.group(1), match.group(2).lower()
    if name not in SKIP:
        return
    if not closing:
        open_tags.append(name)
    elif name in open_tags:
        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]


def _scan(text, parts):
    """Links of one escaped text node into *parts*."""
    position = 0
    for match in _LINKS.finditer(text):
        target, label, bang, word = match.groups()
        _add(parts, text[position:match.start()])
        position = match.end()
        if word is not None:
            if bang:  # !WikiWord: the word itself, not linked
                _add(parts, word)
            else:
                parts.append(Link(page_name(word), word, word))
            continue
        target = html.unescape(target).strip()
        shown = html.unescape(label).strip() if label else target
        name = page_name(target)
        if name is None:  # nothing to link to: keep what was written
            _add(parts, match.group(0))
        else:
            parts.append(Link(name, shown or target, target))
    _add(parts, text[position:])


def _add(parts, text):
    if not text:
        return
    if parts and isinstance(parts[-1], str):
        parts[-1] += text
    else:
        parts.append(text)


def targets(parts):
    """The distinct page names *parts* link to, sorted."""
    return sorted({p.name for p in parts if isinstance(p, Link)})
