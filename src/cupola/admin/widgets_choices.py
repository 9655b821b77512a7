"""Widgets that choose: a checkbox, one of a vocabulary (radios or a
select), several of it (checkboxes), free tags."""

from cupola.admin.widget_base import (RADIO_MAX, Widget, WidgetError, _collection_type,
                                      form_value)
from cupola.admin.widgets_values import TextWidget


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
