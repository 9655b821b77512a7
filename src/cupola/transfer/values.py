"""Field values as JSON and back, guided by each value's zope.schema field.

Dates and times become ISO 8601 strings, tuples and sets lists (sets
sorted, so that an export is stable), decimals strings, and files (a
``FileVersion`` or raw bytes) a dict naming a file beside the JSON, which
the writer's *store_file* callback writes.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from zope.schema import interfaces as si

from cupola.content.revisions import FileVersion


class FileRef:
    """A file of an export, named by the JSON, checked by the reader."""

    def __init__(self, path, filename="", content_type="", size=0,
                 sha256="", width=None, height=None):
        self.path, self.filename = path, filename
        self.content_type, self.size, self.sha256 = content_type, size, sha256
        self.width, self.height = width, height

    def __repr__(self):
        return f"<FileRef {self.path}>"


def encode(field, value, store_file):
    """The JSON form of *value* of *field* (None: a value without a field)."""
    if value is None:
        return None
    if isinstance(value, (FileVersion, bytes, bytearray)):
        return store_file(value)
    if field is None:
        return encode_plain(value)
    if si.IDatetime.providedBy(field) or si.IDate.providedBy(field) \
            or si.ITime.providedBy(field):
        return value.isoformat()
    if si.ITimedelta.providedBy(field):
        return value.total_seconds()
    if si.IDecimal.providedBy(field):
        return str(value)
    if si.IDict.providedBy(field):
        return {_key(k): encode(field.value_type, v, store_file)
                for k, v in value.items()}
    if si.ICollection.providedBy(field):
        items = [encode(field.value_type, v, store_file) for v in value]
        if si.IAbstractSet.providedBy(field):
            items.sort(key=repr)
        return items
    return encode_plain(value)


def encode_plain(value):
    """JSON for a value that has no field (workflow history, old fields)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [encode_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode_plain(v) for v in value), key=repr)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {_key(k): encode_plain(v) for k, v in value.items()}
    raise TypeError(f"a value of type {type(value).__name__} cannot be exported")


def _key(key):
    if not isinstance(key, str):
        raise TypeError(f"a mapping key {key!r} is not text")
    return key


def decode(field, raw, resolve_file):
    """The Python value of *raw* for *field*; ValueError saying why not.

    *resolve_file(raw)* turns the dict of a file into a FileRef.
    """
    if raw is None:
        return None
    if si.IBytes.providedBy(field):
        if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
            raise ValueError("a file is given as {\"path\": ...}")
        return resolve_file(raw)
    if si.IDatetime.providedBy(field):
        return _parse(datetime, raw, "a date and time (ISO 8601)")
    if si.IDate.providedBy(field):
        return _parse(date, raw, "a date (ISO 8601)")
    if si.ITime.providedBy(field):
        return _parse(time, raw, "a time (ISO 8601)")
    if si.ITimedelta.providedBy(field):
        _expect(raw, (int, float), "a number of seconds")
        return timedelta(seconds=raw)
    if si.IDecimal.providedBy(field):
        try:
            return Decimal(_expect(raw, str, "a decimal number as text"))
        except InvalidOperation:
            raise ValueError(f"{raw!r} is not a decimal number") from None
    if si.IDict.providedBy(field):
        _expect(raw, dict, "an object")
        return {k: decode(field.value_type, v, resolve_file)
                for k, v in raw.items()}
    if si.ICollection.providedBy(field):
        _expect(raw, list, "a list")
        items = [decode(field.value_type, v, resolve_file) for v in raw]
        return field._type(items) if isinstance(field._type, type) else items
    if si.IBool.providedBy(field):
        return _expect(raw, bool, "true or false")
    if si.IInt.providedBy(field):
        if isinstance(raw, bool):
            raise ValueError("expected a whole number")
        return _expect(raw, int, "a whole number")
    if si.IFloat.providedBy(field):
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        return float(_expect(raw, (int, float), "a number"))
    return raw


def decode_time(raw):
    """A datetime from ISO 8601 text, or None; ValueError otherwise."""
    return None if raw is None else _parse(datetime, raw,
                                           "a date and time (ISO 8601)")


def _parse(kind, raw, what):
    _expect(raw, str, what)
    try:
        return kind.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not {what}") from None


def _expect(raw, kind, what):
    if not isinstance(raw, kind):
        raise ValueError(f"expected {what}, not {raw!r}")
    return raw
