"""The wiki's content: a Wiki (a folder of pages) and its WikiPages.

A page keeps its source (``body``) and its markup language (``format``);
the HTML made from them is cached on the page (``cupola_wiki.rendering``).
"""

from zope import schema
from zope.interface import implementer
from zope.schema.vocabulary import SimpleTerm, SimpleVocabulary

from cupola.content.folder import Folder
from cupola.content.item import Item
from cupola.interfaces import IBasicSchema, IFolder, IFolderSchema, IItem

MARKDOWN, RST = "markdown", "rst"
FORMATS = SimpleVocabulary([
    SimpleTerm(MARKDOWN, MARKDOWN, "Markdown"),
    SimpleTerm(RST, RST, "reStructuredText"),
])
MAX_BODY = 500_000  # characters of source a page may hold
ADD_PAGE = "cupola_wiki.AddPage"  # adds wikis and their pages


class IWiki(IFolder):
    """A wiki: a folder of WikiPages linked by their names."""


class IWikiPage(IItem):
    """A page of a wiki, written in Markdown or reStructuredText."""


class IWikiSchema(IFolderSchema):
    """The fields of a wiki (those of a folder)."""


class IWikiPageSchema(IBasicSchema):
    """The fields of a wiki page's add and edit forms."""

    body = schema.Text(
        title="Text", required=False, default="", max_length=MAX_BODY,
        description="Link to other pages with WikiWords or [[Page name]] "
                    "(or [[Page name|label]]); write !WikiWord to keep a word "
                    "unlinked.")
    format = schema.Choice(
        title="Format", vocabulary=FORMATS, required=True, default=MARKDOWN,
        description="The markup language of the text.")


IWikiPageSchema["body"].setTaggedValue("cupola.widget", "cupola_wiki.source")


@implementer(IWiki)
class Wiki(Folder):
    """A folder of wiki pages; its FrontPage is made when it is added."""

    type_name = "Wiki"


@implementer(IWikiPage)
class WikiPage(Item):
    """A page: source text, its format, and its HTML cached per revision."""

    type_name = "WikiPage"
    body = ""
    format = MARKDOWN
    _rendered = None  # (key, parts): see cupola_wiki.rendering

    def __init__(self, title="", description="", body="", format=MARKDOWN):
        super().__init__(title, description)
        self.body, self.format = body, format

    @property
    def size(self):
        return len((self.body or "").encode("utf-8"))

    def searchable_text(self):
        """Title, summary and the words of the page as readers see them."""
        from cupola_wiki.rendering import plain_text
        return "\n".join(p for p in (self.title, self.description,
                                     plain_text(self)) if p)
