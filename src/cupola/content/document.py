"""Documents (rich text) and links."""

from zope.interface import implementer

from cupola.content.html import html_to_text, sanitize_html
from cupola.content.item import Item
from cupola.interfaces import IDocument, ILink


class RichText:
    """Mixin for an Item whose ``text`` is HTML, sanitised whenever it is
    set (a Document's body; add-ons' types with a rich text body too)."""

    _text = ""

    def __init__(self, title="", description="", text=""):
        super().__init__(title, description)
        self.text = text

    @property
    def text(self):
        return self._text

    @text.setter
    def text(self, value):
        self._text = sanitize_html(value or "")

    @property
    def plain_text(self):
        return html_to_text(self._text)

    @property
    def size(self):
        return len(self._text.encode("utf-8"))


@implementer(IDocument)
class Document(RichText, Item):
    """A page whose body is HTML, sanitised whenever it is set."""

    type_name = "Document"
    related = ()  # uuids of related items (cupola.content.references)


@implementer(ILink)
class Link(Item):
    """A pointer to another address, inside the site or out."""

    type_name = "Link"
    url = ""

    def __init__(self, title="", description="", url=""):
        super().__init__(title, description)
        self.url = url
