"""The text area a page's source is written in: tall,
and keeping the source's leading indentation (a Markdown code block may
open the page)."""

from cupola.admin.widgets import TextAreaWidget, add_widget
from cupola.admin.widget_base import Widget

KEY = "cupola_wiki.source"  # the body field's ``cupola.widget`` tagged value


class SourceWidget(TextAreaWidget):
    rows = 18

    def extract(self, request):
        return Widget.extract(self, request).rstrip()


def includeme(config):
    add_widget(KEY, SourceWidget)
