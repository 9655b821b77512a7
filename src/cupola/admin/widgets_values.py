"""Widgets that read one typed value: text, address, text area, rich text,
numbers, dates and times."""

from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from cupola.admin.widget_base import Widget, WidgetError
from cupola.content.html import html_to_text, sanitize_html


def within_max_length(raw, limit):
    """*raw*, if it has at most *limit* characters (no limit: None or 0)."""
    if limit and len(raw) > limit:
        raise WidgetError(f"Use at most {limit:,} characters "
                          f"(this has {len(raw):,}).")
    return raw


class TextWidget(Widget):
    """TextLine: one line, trimmed."""

    def extract(self, request):
        return " ".join(super().extract(request).split("\n")).strip()

    def parse(self, raw):
        return within_max_length(raw, self.max_length)


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
        return within_max_length(raw, self.max_length)


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
