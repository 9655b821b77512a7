"""What Cupola itself indexes and keeps as metadata columns.

An index definition names an index kind (``field``, ``date``: epoch
seconds as ints, with day bitmaps for ranges and sorts, ``keyword``,
``text``) and a getter ``getter(obj, registry) -> value``; None (or an empty sequence)
leaves the object out of that index. Add-ons add their own with
``config.add_catalog_index`` and ``config.add_catalog_column``.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from cupola.catalog.security import inactive_tokens, object_tokens

log = logging.getLogger("cupola.catalog")
KINDS = ("field", "date", "keyword", "text")
# Indexes that follow who may see an object (reindexed on transitions and
# local-role changes, also for the descendants that inherit from it).
SECURITY_INDEXES = ("allowed", "allowed_inactive", "state")


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    kind: str
    getter: Callable
    origin: str = ""


@dataclass(frozen=True)
class ColumnDefinition:
    name: str
    getter: Callable
    origin: str = ""


def timestamp(value):
    """Seconds since the epoch (int) of a datetime, None for None."""
    if value is None:
        return None
    return int(value.timestamp())


_DIGITS = re.compile(r"\d+")


def sortable_title(obj, registry=None):
    """Title folded for sorting: case and accents ignored, numbers by value."""
    title = (getattr(obj, "title", "") or getattr(obj, "__name__", "") or "")
    text = unicodedata.normalize("NFKD", title.strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _DIGITS.sub(lambda m: m.group().zfill(12), text)[:120]


def searchable_text(obj, registry=None):
    """The words a text search finds *obj* by: title, description, body,
    and the text of an attached PDF, DOCX or ODT file."""
    own = getattr(obj, "searchable_text", None)
    if callable(own):
        return own()
    parts = [getattr(obj, "title", "") or "", getattr(obj, "description", "") or ""]
    body = getattr(obj, "text", None)
    if isinstance(body, str):
        parts.append(body)
    if getattr(obj, "blob", None) is not None and getattr(obj, "size", 0):
        parts.append(file_text(obj))
    return "\n".join(p for p in parts if p)


def file_text(obj):
    from cupola.catalog.extract import extract_text
    content_type = getattr(obj, "content_type", "") or ""
    if content_type.startswith("image/"):
        return ""
    with obj.open() as f:
        return extract_text(f, content_type, getattr(obj, "filename", "") or "")


def _attr(name, default=None):
    return lambda obj, registry: getattr(obj, name, default)


def _date(name):
    return lambda obj, registry: timestamp(getattr(obj, name, None))


CORE_INDEXES = (
    IndexDefinition("type_name", "field", _attr("type_name")),
    IndexDefinition("state", "field", _attr("workflow_state")),
    IndexDefinition("allowed", "keyword", lambda o, r: object_tokens(r, o)),
    IndexDefinition("allowed_inactive", "keyword", lambda o, r: inactive_tokens(r, o)),
    IndexDefinition("created", "date", _date("created")),
    IndexDefinition("modified", "date", _date("modified")),
    IndexDefinition("effective", "date", _date("effective")),
    IndexDefinition("expires", "date", _date("expires")),
    IndexDefinition("subject", "keyword", _attr("subjects", ())),
    IndexDefinition("creator", "field", _attr("creator")),
    IndexDefinition("sortable_title", "field", sortable_title),
    IndexDefinition("text", "text", searchable_text),
)


def _is_container(obj, registry):
    from cupola.interfaces import IContainer
    return IContainer.providedBy(obj)


CORE_COLUMNS = (
    ColumnDefinition("title", _attr("title", "")),
    ColumnDefinition("description", _attr("description", "")),
    ColumnDefinition("type_name", _attr("type_name")),
    ColumnDefinition("state", _attr("workflow_state")),
    ColumnDefinition("created", _date("created")),
    ColumnDefinition("modified", _date("modified")),
    ColumnDefinition("effective", _date("effective")),
    ColumnDefinition("expires", _date("expires")),
    ColumnDefinition("creator", _attr("creator")),
    ColumnDefinition("subjects", lambda o, r: tuple(getattr(o, "subjects", ()) or ())),
    ColumnDefinition("size", _attr("size", 0)),
    ColumnDefinition("content_type", _attr("content_type", "")),
    ColumnDefinition("is_container", _is_container),
)


def includeme(config):
    for definition in CORE_INDEXES:
        config.add_catalog_index(definition.name, definition.kind, definition.getter)
    for column in CORE_COLUMNS:
        config.add_catalog_column(column.name, column.getter)
