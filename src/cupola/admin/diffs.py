"""What differs between two revisions, for people: words inserted and
deleted in text, the body text's paragraphs compared one by one (tags
stripped; the template escapes every word), tags added and removed, a
file's name and size. Used by ``@@history-diff`` (``cupola.admin.history``).
"""

import difflib
import re
from html.parser import HTMLParser

from cupola.content import revisions as R

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")  # spaces, words, each punctuation mark
_HTML = re.compile(r"\s*<(p|h[1-6]|ul|ol|div|blockquote|table|pre|figure)\b")


def word_diff(old, new):
    """[(op, text)] with op "eq", "del" or "ins": what was removed, then what
    was added, between unchanged runs."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts, removed, added = [], [], []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        same = "".join(a[i1:i2]) if op == "equal" else ""
        if op == "equal" and not (0 < n < len(opcodes) - 1 and same.isspace()):
            _append(parts, "del", "".join(removed))
            _append(parts, "ins", "".join(added))
            removed, added = [], []
            _append(parts, "eq", same)
        else:  # a change, or one space between two changes: part of both
            removed.extend(a[i1:i2])
            added.extend(b[j1:j2])
    _append(parts, "del", "".join(removed))
    _append(parts, "ins", "".join(added))
    return parts


def _append(parts, op, text):
    if not text:
        return
    if parts and parts[-1][0] == op:
        parts[-1] = (op, parts[-1][1] + text)
    else:
        parts.append((op, text))


BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre",
          "td", "th", "dt", "dd", "figcaption", "caption", "div", "summary"}
KIND_TITLES = {"h1": "Heading", "h2": "Heading", "h3": "Heading 3",
               "h4": "Heading 4", "h5": "Heading 5", "h6": "Heading 6",
               "li": "List item", "blockquote": "Quote", "pre": "Code",
               "td": "Table cell", "th": "Table heading", "dt": "Term",
               "dd": "Definition", "figcaption": "Caption",
               "caption": "Caption", "summary": "Summary"}


class _Blocks(HTMLParser):
    """The text of each block of HTML: [(tag, text)]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.stack, self.text = [], [], []

    def flush(self):
        text = " ".join("".join(self.text).split())
        if text:
            self.blocks.append((self.stack[-1] if self.stack else "p", text))
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()
            self.stack.append(tag)
        elif tag == "br":
            self.text.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or "no description"
            self.text.append(f" [Image: {alt}] ")
        elif tag == "hr":
            self.flush()
            self.blocks.append(("hr", "———"))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass

    def handle_data(self, data):
        self.text.append(data)


def html_blocks(html):
    """[(tag, text)] of the blocks of *html*, in order."""
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    parser.flush()
    return parser.blocks


def html_diff(old, new, context=1):
    """Rows comparing the blocks of two HTML texts: [{kind, label, op, parts}]
    with op "eq", "del", "ins" or "mod"; runs of unchanged blocks beyond
    *context* around a change become one row {op: "skip", count}."""
    a, b = html_blocks(old), html_blocks(new)
    rows = []
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (kind_a, text), (kind_b, _) in zip(a[i1:i2], b[j1:j2]):
                changed = kind_a != kind_b
                rows.append(_row(kind_b, "mod" if changed else "eq",
                                 [("eq", text)], kind_a if changed else None))
            continue
        old_blocks, new_blocks = a[i1:i2], b[j1:j2]
        paired = min(len(old_blocks), len(new_blocks)) if op == "replace" else 0
        for (kind_a, text_a), (kind_b, text_b) in zip(old_blocks, new_blocks):
            rows.append(_row(kind_b, "mod", word_diff(text_a, text_b),
                             kind_a if kind_a != kind_b else None))
        for kind, text in old_blocks[paired:]:
            rows.append(_row(kind, "del", [("del", text)]))
        for kind, text in new_blocks[paired:]:
            rows.append(_row(kind, "ins", [("ins", text)]))
    if all(row["op"] == "eq" for row in rows):
        return []  # the same words: only the markup changed
    return _fold(rows, context)


def _row(kind, op, parts, was=None):
    label = KIND_TITLES.get(kind, "")
    if was is not None:
        label = f"{label or 'Paragraph'} (was {KIND_TITLES.get(was, 'a paragraph').lower()})"
    if op in ("ins", "del"):  # said in words, not by colour alone
        done = "Added" if op == "ins" else "Removed"
        label = f"{done} {(label or 'paragraph').lower()}"
    return {"kind": kind, "label": label, "op": op, "parts": parts}


def _fold(rows, context):
    """Keep *context* unchanged rows around each change; fold the rest."""
    near = set()
    for i, row in enumerate(rows):
        if row["op"] != "eq":
            near.update(range(i - context, i + context + 1))
    folded, skipped = [], 0
    for i, row in enumerate(rows):
        if row["op"] == "eq" and i not in near:
            skipped += 1
            continue
        if skipped:
            folded.append({"op": "skip", "count": skipped})
            skipped = 0
        folded.append(row)
    if skipped:
        folded.append({"op": "skip", "count": skipped})
    return folded


def size_text(size):
    size = size or 0
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def value_text(value):
    """A field value as words (dates, tags, files, anything else)."""
    if value is None or value == "":
        return ""
    if isinstance(value, R.FileVersion):
        return f"{value.filename or 'unnamed file'} ({size_text(value.size)})"
    if hasattr(value, "strftime"):
        if not hasattr(value, "hour"):
            return value.strftime("%-d %b %Y")
        zone = " UTC" if getattr(value, "tzinfo", None) is not None else ""
        return value.strftime("%-d %b %Y %H:%M") + zone
    if isinstance(value, (tuple, list, set, frozenset)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def field_diff(name, title, old, new):
    """What a template shows for one changed field."""
    item = {"name": name, "title": title, "kind": "value",
            "old": value_text(old), "new": value_text(new)}
    if name == "text" or any(isinstance(v, str) and _HTML.match(v) for v in (old, new)):
        item.update(kind="html", rows=html_diff(old or "", new or ""))
    elif isinstance(old, R.FileVersion) or isinstance(new, R.FileVersion):
        item.update(kind="file", rows=_file_rows(old, new))
    elif isinstance(old, (tuple, list)) or isinstance(new, (tuple, list)):
        before, after = list(old or ()), list(new or ())
        item.update(kind="tags", added=[t for t in after if t not in before],
                    removed=[t for t in before if t not in after])
    elif isinstance(old, (str, type(None))) and isinstance(new, (str, type(None))):
        item.update(kind="text", parts=word_diff(old or "", new or ""))
    return item


def _file_rows(old, new):
    """[(label, before, after)] of what differs between two file versions."""
    rows = []
    for label, get in (("Name", lambda v: v.filename),
                       ("Size", lambda v: size_text(v.size)),
                       ("Type", lambda v: v.content_type)):
        before = get(old) if old is not None else ""
        after = get(new) if new is not None else ""
        if before != after:
            rows.append((label, before, after))
    if not rows:
        rows.append(("Content", "the earlier bytes", "new bytes of the same size"))
    return rows
