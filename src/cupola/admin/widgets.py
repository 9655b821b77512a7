"""Form widgets for zope.schema fields: show a value, read it back, say what is wrong.

A widget turns a field's Python value into what an HTML input shows
(``format``), reads what the browser sent (``extract``) and parses it into
a Python value (``parse``), raising ``WidgetError`` with a message for
people. Schema validation proper (required, lengths, URI syntax...) stays
with ``cupola.content.operations.validate_fields``; widgets only catch
what cannot even be parsed, and give friendlier messages for the common
limits first.

``widget_for(name, field, form)`` picks the widget: a field's tagged value
``cupola.widget`` (a key of ``WIDGETS``) wins, then the field's class
(first match in ``BY_FIELD``). Add-ons register more with
``add_widget(key, factory, field_class=None)``.

Each widget names the macro of ``widgets.pt`` that draws it (``macro``).
"""

import unicodedata
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from zope.schema import (URI, Bool, Bytes, BytesLine, Choice, Date, Datetime,
                         Decimal as DecimalField, Float, FrozenSet, Int, List,
                         Set, Text, TextLine, Tuple)

from cupola.content.html import html_to_text, sanitize_html

NO_VALUE = object()  # nothing to store: e.g. a file input left empty on edit
RICH_TEXT_NAMES = frozenset({"text"})  # Text fields edited as rich text by name
RADIO_MAX = 4  # a Choice with at most this many options shows radio buttons


class WidgetError(ValueError):
    """What the person typed cannot be read; the message says how to fix it."""


def form_value(request, name):
    """The text sent for *name*, also when ``multipart`` filed a big text
    field among the files (it does so above 256 KB)."""
    value = request.form.get(name)
    if value is None:
        part = request.files.get(name)
        if part is not None and not part.filename:
            value = part.value
    return value


def _normal(text):
    """Browser line ends (CRLF) to \\n, Unicode to NFC."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


class Widget:
    """Base widget: one ``<input>`` whose text is the value."""

    macro = "input"
    input_type = "text"
    section = "main"
    optional = False  # the form fills it in when left empty (a file's title)

    def __init__(self, name, field, form):
        self.name, self.field, self.form = name, field, form
        self.id = f"field-{name}"
        self.label = field.title or name
        self.hint = field.description or ""
        self.error = None
        self.raw = ""  # what the input shows: a string (a list for checkboxes)
        section = field.queryTaggedValue("cupola.section")
        if section:
            self.section = section

    # -- for the template --

    @property
    def described_by(self):
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids) or None

    @property
    def required(self):
        return bool(self.field.required) and not self.optional

    @property
    def max_length(self):
        return getattr(self.field, "max_length", None)

    # -- values --

    def show(self, value):
        """Display *value* (a Python value of the field)."""
        self.raw = self.format(value)

    def read(self, request):
        """Parse what *request* sent: a value, NO_VALUE, or WidgetError."""
        self.raw = self.extract(request)
        return self.parse(self.raw)

    def format(self, value):
        return "" if value is None else str(value)

    def extract(self, request):
        return _normal(form_value(request, self.name) or "")

    def parse(self, raw):
        return raw


class TextWidget(Widget):
    """TextLine: one line, trimmed."""

    def extract(self, request):
        return " ".join(super().extract(request).split("\n")).strip()

    def parse(self, raw):
        limit = self.max_length
        if limit and len(raw) > limit:
            raise WidgetError(f"Use at most {limit:,} characters "
                              f"(this has {len(raw):,}).")
        return raw


class BytesLineWidget(TextWidget):
    """BytesLine: one line of text, stored as UTF-8 bytes."""

    def format(self, value):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else super().format(value)

    def parse(self, raw):
        return super().parse(raw).encode("utf-8")


class UrlWidget(TextWidget):
    """URI: an address with its scheme (https://...)."""

    input_type = "url"

    def parse(self, raw):
        raw = super().parse(raw)
        if raw and "://" not in raw and not raw.startswith(("mailto:", "tel:")):
            raise WidgetError("Enter a full address, starting with https://.")
        return raw


class TextAreaWidget(Widget):
    """Text: several lines of plain text."""

    macro = "textarea"
    rows = 4

    def extract(self, request):
        return super().extract(request).strip()

    def parse(self, raw):
        limit = self.max_length
        if limit and len(raw) > limit:
            raise WidgetError(f"Use at most {limit:,} characters "
                              f"(this has {len(raw):,}).")
        return raw


class RichTextWidget(TextAreaWidget):
    """HTML edited in a WYSIWYG editor where the script is present, else as
    HTML in a text area; always sanitised here (and again by the content)."""

    macro = "richtext"
    rows = 16

    def parse(self, raw):
        html = sanitize_html(super().parse(raw)).strip()
        if not html_to_text(html) and "<img" not in html and "<hr" not in html:
            return ""  # an editor's empty paragraph is no text
        return html


class NumberWidget(TextWidget):
    """Int, Float, Decimal: a number input with the field's bounds."""

    input_type = "number"
    kind = int

    @property
    def step(self):
        return "1" if self.kind is int else "any"

    @property
    def min(self):
        return getattr(self.field, "min", None)

    @property
    def max(self):
        return getattr(self.field, "max", None)

    def parse(self, raw):
        if raw == "":
            return None
        text = raw.replace(" ", "").replace("\u202f", "")
        try:
            if self.kind is int:
                value = int(text)
            elif self.kind is Decimal:
                value = Decimal(text.replace(",", "."))
                if not value.is_finite():
                    raise InvalidOperation
            else:
                value = float(text.replace(",", "."))
                if value != value or value in (float("inf"), float("-inf")):
                    raise ValueError
        except (ValueError, InvalidOperation):
            raise WidgetError("Enter a whole number, like 12." if self.kind is int
                              else "Enter a number, like 3.5.") from None
        low, high = self.min, self.max
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise WidgetError(f"Enter a number from {low} to {high}.")
            if low is not None:
                raise WidgetError(f"Enter a number of at least {low}.")
            raise WidgetError(f"Enter a number of at most {high}.")
        return value


class FloatWidget(NumberWidget):
    kind = float


class DecimalWidget(NumberWidget):
    kind = Decimal


class DateWidget(Widget):
    """Date: a date picker (YYYY-MM-DD)."""

    input_type = "date"

    def format(self, value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.date()
        return value.isoformat()

    def extract(self, request):
        return super().extract(request).strip()

    def parse(self, raw):
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise WidgetError("Enter a date like 2025-03-31.") from None


class DatetimeWidget(Widget):
    """Datetime: date and time in the site's time zone, stored aware in UTC."""

    input_type = "datetime-local"

    def __init__(self, name, field, form):
        super().__init__(name, field, form)
        zone = f"Time zone: {self.zone_name}."
        self.hint = f"{self.hint} {zone}" if self.hint else zone

    @property
    def zone(self):
        return self.form.time_zone

    @property
    def zone_name(self):
        return getattr(self.zone, "key", None) or "UTC"

    def format(self, value):
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def extract(self, request):
        return super().extract(request).strip()

    def parse(self, raw):
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T"))
        except ValueError:
            raise WidgetError("Enter a date and time like 2025-03-31 14:30.") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(timezone.utc)


class CheckboxWidget(Widget):
    """Bool: one checkbox; absent from the form means False."""

    macro = "checkbox"

    def format(self, value):
        return "1" if value else ""

    def extract(self, request):
        return "1" if form_value(request, self.name) else ""

    def parse(self, raw):
        return bool(raw)


class Option:
    """One choice of a select, radio group or checkbox list."""

    __slots__ = ("token", "title", "value")

    def __init__(self, token, title, value):
        self.token, self.title, self.value = token, title, value


def _options(field, context):
    """[Option] of a Choice field's vocabulary, bound to *context*."""
    bound = field.bind(context)
    vocabulary = bound.vocabulary
    if vocabulary is None:  # a named vocabulary nobody registered
        return []
    return [Option(str(term.token), str(getattr(term, "title", None) or term.value),
                   term.value) for term in vocabulary]


class SelectWidget(Widget):
    """Choice: a select, or radio buttons for a few options."""

    @property
    def options(self):
        found = self.__dict__.get("_options")
        if found is None:
            found = self.__dict__["_options"] = _options(self.field, self.form.context)
        return found

    @property
    def macro(self):
        return "radios" if len(self.options) <= RADIO_MAX else "select"

    def format(self, value):
        for option in self.options:
            if option.value == value:
                return option.token
        return ""

    def extract(self, request):
        return (form_value(request, self.name) or "").strip()

    def parse(self, raw):
        if raw == "":
            return None
        for option in self.options:
            if option.token == raw:
                return option.value
        raise WidgetError("Choose one of the options.")


def _collection_type(field):
    kind = getattr(field, "_type", None)
    return kind if isinstance(kind, type) else tuple


class CheckboxesWidget(Widget):
    """Set, List or Tuple of a Choice: one checkbox per option."""

    macro = "checkboxes"

    @property
    def options(self):
        found = self.__dict__.get("_options")
        if found is None:
            found = self.__dict__["_options"] = _options(
                self.field.value_type, self.form.context)
        return found

    def format(self, value):
        chosen = list(value or ())
        return [o.token for o in self.options if o.value in chosen]

    def extract(self, request):
        return [v.strip() for v in request.form.getall(self.name) if v.strip()]

    def parse(self, raw):
        by_token = {o.token: o.value for o in self.options}
        if any(token not in by_token for token in raw):
            raise WidgetError("Choose among the options shown.")
        values = [by_token[t] for t in dict.fromkeys(raw)]
        return _collection_type(self.field)(values)


class TagsWidget(TextWidget):
    """A sequence of short texts (tags): typed comma-separated, stored as a
    tuple, trimmed, without repeats (ignoring case)."""

    def __init__(self, name, field, form):
        super().__init__(name, field, form)
        if not self.hint:
            self.hint = "Separate them with commas."

    @property
    def max_length(self):
        return None  # the limits apply per tag and to the count

    def format(self, value):
        return ", ".join(value or ())

    def parse(self, raw):
        tags, seen = [], set()
        for tag in raw.split(","):
            tag = " ".join(tag.split())
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
        each = getattr(self.field.value_type, "max_length", None)
        if each and any(len(t) > each for t in tags):
            raise WidgetError(f"A tag has at most {each} characters.")
        most = getattr(self.field, "max_length", None)
        if most and len(tags) > most:
            raise WidgetError(f"Use at most {most} tags (this has {len(tags)}).")
        return _collection_type(self.field)(tags)


class FileWidget(Widget):
    """Bytes: a file input; on edit, the current file stays unless a new one
    is chosen. The value is ``(file object, file name, content type)``,
    which ``File.set_data`` streams into the blob."""

    macro = "file"
    input_type = "file"

    def __init__(self, name, field, form):
        super().__init__(name, field, form)
        limit = f"Up to {size_text(self.max_size)}."
        if self.current is not None:
            limit += " Choose a file only to replace the current one."
        self.hint = f"{self.hint} {limit}" if self.hint else limit

    @property
    def current_size(self):
        return size_text(self.current[1]) if self.current else ""

    @property
    def accept(self):
        return self.form.accept

    @property
    def max_size(self):
        return self.form.max_upload

    @property
    def current(self):
        """(file name, size) of the stored file when editing, else None."""
        obj = self.form.obj
        if obj is None or not getattr(obj, "size", 0) and not getattr(obj, "filename", ""):
            return None
        return obj.filename or "(no name)", getattr(obj, "size", 0)

    @property
    def required(self):
        return bool(self.field.required) and self.current is None

    def format(self, value):
        return ""  # a browser never pre-fills a file input

    def extract(self, request):
        part = request.files.get(self.name)
        if part is None or not part.filename:
            return None
        return part

    def parse(self, raw):
        if raw is None:
            return NO_VALUE
        raw.file.seek(0)
        return (raw.file, raw.filename, raw.content_type)


def size_text(size):
    """1536 -> '1.5 KB': a size for people."""
    size = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            if unit == "bytes":
                return f"{int(size):,} bytes" if size != 1 else "1 byte"
            return f"{size:,.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size:,.1f} TB"


WIDGETS = {
    "text": TextWidget, "bytesline": BytesLineWidget, "url": UrlWidget, "textarea": TextAreaWidget,
    "richtext": RichTextWidget, "int": NumberWidget, "float": FloatWidget,
    "decimal": DecimalWidget, "date": DateWidget, "datetime": DatetimeWidget,
    "checkbox": CheckboxWidget, "choice": SelectWidget,
    "checkboxes": CheckboxesWidget, "tags": TagsWidget, "file": FileWidget,
}

# (field class, widget key), first match wins: subclasses before their bases.
BY_FIELD = [
    (URI, "url"), (Bool, "checkbox"), (Choice, "choice"),
    (Datetime, "datetime"), (Date, "date"), (Int, "int"),
    (DecimalField, "decimal"), (Float, "float"),
    (BytesLine, "bytesline"), (Bytes, "file"), (TextLine, "text"), (Text, "textarea"),
]
SEQUENCES = (Tuple, List, Set, FrozenSet)


def add_widget(key, factory, field_class=None):
    """Make widget *factory* available as *key* (for the ``cupola.widget``
    tagged value) and, with *field_class*, the default for such fields."""
    WIDGETS[key] = factory
    if field_class is not None:
        BY_FIELD.insert(0, (field_class, key))


def widget_key(name, field):
    """The key in WIDGETS of the widget for *field* (called *name*)."""
    tagged = field.queryTaggedValue("cupola.widget")
    if tagged in WIDGETS:
        return tagged
    if isinstance(field, SEQUENCES):
        return "checkboxes" if isinstance(field.value_type, Choice) else "tags"
    for cls, key in BY_FIELD:
        if isinstance(field, cls):
            if key == "textarea" and name in RICH_TEXT_NAMES:
                return "richtext"
            return key
    return "text"


def widget_for(name, field, form):
    """A new widget for *field* on *form* (see the module docstring)."""
    return WIDGETS[widget_key(name, field)](name, field, form)
