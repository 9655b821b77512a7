"""``<wiki>/++add++WikiPage``: the core add form, filled in from a link.

A "create" link opens it as ``?title=Front%20Page&name=front-page``: the
title and the name in the URL are filled in. A page added without a name
gets the one its title makes by the wiki's rule (``cupola_wiki.names``),
so that the links written to it find it.
"""

from cupola.admin.editing import NAME_FIELD, AddForm
from cupola.content.operations import MAX_NAME
from cupola.security.roles import ADD
from cupola_wiki.content import IWiki
from cupola_wiki.names import page_name

PAGE_TYPE = "WikiPage"


class WikiAddForm(AddForm):
    """The core add form; a new page's name follows the wiki's rule."""

    def is_page(self):
        subpath = self.request.subpath
        return len(subpath) == 1 and subpath[0] == PAGE_TYPE

    def get(self):
        if not self.is_page():
            return super().get()
        self._title = " ".join(self.request.GET.get("title", "").split())[:300]
        return super().get()

    def make_widgets(self, info, context, obj=None):
        widgets = super().make_widgets(info, context, obj)
        if self.is_page():
            for widget in widgets:
                if widget.name == "title" and not widget.hint:
                    widget.hint = ("Links find this page by its title: "
                                   "[[Its title]] or a WikiWord made of it.")
        return widgets

    def show(self, info, widgets, name, errors=None, can_publish=False, status=200):
        title = getattr(self, "_title", "")
        if title and not errors:  # the first showing of a "create" link's form
            for widget in widgets:
                if widget.name == "title":
                    widget.raw = title
            wanted = self.request.GET.get("name") or page_name(title) or ""
            name = dict(name or {}, value=wanted[:MAX_NAME])
        if self.is_page() and name:
            name = dict(name, hint="Made from the title by the wiki's rule "
                                   "when left empty (“Front Page” → front-page).")
        return super().show(info, widgets, name, errors, can_publish, status)

    def text(self, name, max_length=200):
        value = super().text(name, max_length)
        if name == NAME_FIELD and not value and self.is_page():
            value = page_name(self.text("title", 300)) or ""
        return value


def includeme(config):
    config.add_view(WikiAddForm, "++add++", context=IWiki, permission=ADD,
                    attr="get", accepts_subpath=True)
    config.add_view(WikiAddForm, "++add++", context=IWiki, permission=ADD,
                    attr="post", request_method="POST", accepts_subpath=True)
