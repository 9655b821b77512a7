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
The classes live in ``widget_base`` (the base), ``widgets_values``
(typed values), ``widgets_choices`` (vocabularies, tags) and
``widgets_files`` (uploads); import them from here.
"""

from zope.schema import (URI, Bool, Bytes, BytesLine, Choice, Date, Datetime,
                         Decimal as DecimalField, Float, FrozenSet, Int, List,
                         Set, Text, TextLine, Tuple)

from cupola.admin.widget_base import (NO_VALUE, RADIO_MAX, RICH_TEXT_NAMES,
                                      Widget, WidgetError, _collection_type, _normal,
                                      form_value)
from cupola.admin.widgets_choices import (CheckboxWidget, CheckboxesWidget,
                                          Option, SelectWidget, TagsWidget, _options)
from cupola.admin.widgets_files import FileWidget, size_text
from cupola.admin.widgets_values import (BytesLineWidget, DateWidget,
                                         DatetimeWidget, DecimalWidget, FloatWidget,
                                         NumberWidget, RichTextWidget, TextAreaWidget,
                                         TextWidget, UrlWidget)

__all__ = [  # the widgets and helpers add-ons and the forms import from here
    "NO_VALUE", "RADIO_MAX", "RICH_TEXT_NAMES", "Widget", "WidgetError", "form_value",
    "_collection_type", "_normal", "CheckboxWidget", "CheckboxesWidget", "Option",
    "SelectWidget", "TagsWidget", "_options", "FileWidget", "size_text",
    "BytesLineWidget", "DateWidget", "DatetimeWidget", "DecimalWidget", "FloatWidget",
    "NumberWidget", "RichTextWidget", "TextAreaWidget", "TextWidget", "UrlWidget",
    "WIDGETS", "BY_FIELD", "add_widget", "widget_key", "widget_for",
]

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
