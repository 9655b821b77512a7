"""The base of the form widgets (see ``cupola.admin.widgets``): a value
shown, read back and parsed, with a message for people when it cannot be."""

import unicodedata


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


def _collection_type(field):
    kind = getattr(field, "_type", None)
    return kind if isinstance(kind, type) else tuple
