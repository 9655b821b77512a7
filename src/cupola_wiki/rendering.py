"""A page's source to HTML: Markdown or reStructuredText, sanitised, with
its wiki links found; cached on the page per revision.

Stored on the page::

    page._rendered   # (key, parts): key = (RENDERER, format, digest of body)
                     # parts = tuple of HTML strings and (name, label, target)
                     # tuples (plain tuples: no class of ours in the record)

The cache is written when the page is added or changed (the event
handlers of ``cupola_wiki.events``), so a view only reads it. A page whose
cache is stale (changed without an event, or by an older renderer) is
rendered on view and kept in a volatile attribute until the next change.
"""

import hashlib
import io
import re
from html import escape

import markdown
from docutils.core import publish_parts
from markdown.extensions.toc import slugify
from docutils.utils import SystemMessage

from cupola.content.html import html_to_text, sanitize_html
from cupola_wiki.content import MARKDOWN, RST
from cupola_wiki.links import Link, link_parts, targets

RENDERER = 3  # bump when the HTML made of the same source changes
MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "toc", "sane_lists", "def_list",
                       "abbr", "footnotes")


def heading_id(value, separator):
    """Heading ids start with "h-", so none is taken by the page (#main...)."""
    return "h-" + slugify(value, separator)


# "# Title" is an <h2>: the page has the <h1>
MARKDOWN_CONFIG = {"toc": {"baselevel": 2, "slugify": heading_id}}
RST_SETTINGS = {
    # security: no reading of files or URLs, no raw HTML, no config files
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    # errors: severe ones stop (shown as a message), warnings and errors appear inline
    "halt_level": 4,
    "report_level": 2,
    "traceback": True,  # raise SystemMessage to us instead of exiting
    "input_encoding": "unicode",
    "output_encoding": "unicode",
    "initial_header_level": 2,
    "doctitle_xform": False,
    "embed_stylesheet": False,
    "syntax_highlight": "none",
    "math_output": "HTML",
    "smart_quotes": False,
    "id_prefix": "h-",  # as Markdown's headings: no clash with the page's ids
}
# the sanitiser drops <section>, and with it the ids that `.. contents::`
# and `Title`_ references point at: sections become <div>s, ids kept
_SECTION = re.compile(r"<(/?)section\b")


def markdown_html(source):
    """HTML of Markdown *source* (unsanitised)."""
    return markdown.markdown(source, extensions=list(MARKDOWN_EXTENSIONS),
                             extension_configs=MARKDOWN_CONFIG,
                             output_format="html")


def rst_html(source):
    """HTML of reStructuredText *source* (unsanitised); a severe error
    gives a short message saying where, never a traceback."""
    settings = dict(RST_SETTINGS, warning_stream=io.StringIO())
    try:
        parts = publish_parts(source=source, writer="html5",
                              settings_overrides=settings)
    except SystemMessage as e:
        return f'<p class="wiki-error">{escape(_message(e))}</p>'
    return _SECTION.sub(r"<\1div", parts["body"])


def _message(error):
    """'Line 3: Unknown directive type "foo".' of a docutils SystemMessage."""
    text = str(error).strip()
    # "<string>:3: (SEVERE/4) message" -> "Line 3: message"
    head, _, rest = text.partition(": (")
    line = head.rsplit(":", 1)[-1] if ":" in head else ""
    message = rest.split(") ", 1)[-1] if rest else text
    message = message.split("\n", 1)[0]
    where = f"line {line}" if line.isdigit() else "the text"
    return (f"This page's reStructuredText could not be read "
            f"({where}): {message}")


def render_source(source, format):
    """The parts (HTML strings and Links) of *source* in *format*."""
    source = source or ""
    if not source.strip():
        return ()
    raw = rst_html(source) if format == RST else markdown_html(source)
    return tuple(link_parts(sanitize_html(raw)))


def cache_key(page):
    digest = hashlib.blake2b((page.body or "").encode("utf-8"),
                             digest_size=16).hexdigest()
    return (RENDERER, page.format or MARKDOWN, digest)


def parts_of(page, store=False):
    """The rendered parts of *page* (HTML strings and Links), from its cache
    when it is current.

    *store* (in a transaction that changes the page anyway) keeps fresh
    parts in the page's record; otherwise only in memory.
    """
    key = cache_key(page)
    cached = getattr(page, "_v_rendered", None)
    if cached is not None and cached[0] == key:
        if store and (page._rendered is None or page._rendered[0] != key):
            page._rendered = (key, _stored(cached[1]))
        return cached[1]
    stored = page._rendered
    if stored is not None and stored[0] == key:
        parts = tuple(p if isinstance(p, str) else Link(*p) for p in stored[1])
    else:
        parts = render_source(page.body, page.format)
        if store:
            page._rendered = (key, _stored(parts))
    page._v_rendered = (key, parts)
    return parts


def _stored(parts):
    return tuple(p if isinstance(p, str) else tuple(p) for p in parts)


def links_of(page):
    """The names of the pages *page* links to, sorted."""
    return targets(parts_of(page))


def plain_text(page):
    """The words of *page* as readers see them (for search)."""
    text = "".join(p if isinstance(p, str) else escape(p.label)
                   for p in parts_of(page))
    return html_to_text(text)

