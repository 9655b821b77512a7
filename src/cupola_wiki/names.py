"""How a link names a page: one rule for WikiWords, ``[[links]]`` and titles.

``page_name(text)`` splits CamelCase into words, then makes the same slug
Cupola makes of any title: ``FrontPage``, ``Front Page``, ``[[front
page]]`` all name ``front-page``. The add form of a wiki fills in a new
page's name with it, so a page is found by the links written to it.
"""

import re

from cupola.content.operations import RESERVED, slugify

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORDY = re.compile(r"\w", re.UNICODE)


def split_camel(text):
    """``FrontPage`` -> ``Front Page``; ``HTTPServer`` -> ``HTTP Server``."""
    return _CAMEL.sub(" ", text)


def page_name(text):
    """The URL name of the page *text* (a WikiWord, a title) links to;
    None when *text* makes no name (only punctuation, a reserved word)."""
    text = " ".join((text or "").split())
    if not _WORDY.search(text):
        return None
    name = slugify(split_camel(text))
    if name in RESERVED or name == "item" and "item" not in text.lower():
        return None
    return name
