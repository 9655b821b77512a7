"""The blog's content: a Blog (a folder of posts) and its BlogPosts.

A post's body is rich text, sanitised whenever it is set (the core's
``RichText``, as a Document's). Its excerpt is the summary field, or the start of the body
when that is empty. Its comments are persistent objects kept in the post
itself (``cupola_blog.comments``), never catalogued as pages.
"""

from zope import schema
from zope.interface import implementer
from zope.schema.vocabulary import SimpleTerm, SimpleVocabulary

from cupola.content.document import RichText
from cupola.content.folder import Folder
from cupola.content.item import Item
from cupola.interfaces import IBasicSchema, IFolder, IFolderSchema, IItem

CLOSED, MEMBERS, ANYONE = "closed", "members", "anyone"
COMMENT_POLICIES = SimpleVocabulary([
    SimpleTerm(ANYONE, ANYONE, "Anyone, also visitors who are not signed in"),
    SimpleTerm(MEMBERS, MEMBERS, "Signed-in users only"),
    SimpleTerm(CLOSED, CLOSED, "Nobody: comments are closed"),
])
EXCERPT_LENGTH = 280  # characters of a derived excerpt


class IBlog(IFolder):
    """A blog: a folder of BlogPosts, newest first."""


class IBlogPost(IItem):
    """A post of a blog: rich text, an author, tags, a lead image."""


class IBlogSchema(IFolderSchema):
    """The fields of a blog."""

    comments = schema.Choice(
        title="Who may comment", vocabulary=COMMENT_POLICIES, required=True,
        default=ANYONE,
        description="Every new comment waits for an editor's approval.")


class IBlogPostSchema(IBasicSchema):
    """The fields of a post's add and edit forms."""

    description = schema.Text(
        title="Excerpt", required=False, default="", max_length=2000,
        description="Shown on the blog's front page and in its feeds; "
                    "left empty, the start of the text is used.")
    text = schema.Text(title="Text", required=False, default="")
    author = schema.TextLine(
        title="Author", required=False, default="", max_length=200,
        description="Left empty, the full name of whoever writes the post.")
    lead_image = schema.TextLine(
        title="Lead image", required=False, default=None,
        description="An image of the site shown above the post and on the "
                    "front page.")


# stored as the uuid of an Image, picked with the core reference widget
IBlogPostSchema["lead_image"].setTaggedValue("cupola.widget", "reference")


@implementer(IBlog)
class Blog(Folder):
    """A folder of posts; its front page lists them newest first."""

    type_name = "Blog"
    comments = ANYONE


@implementer(IBlogPost)
class BlogPost(RichText, Item):
    """A post: sanitised HTML text, author, lead image, comments."""

    type_name = "BlogPost"
    author = ""
    lead_image = None
    _comments = None  # LOBTree {comment id: Comment}: cupola_blog.comments

    @property
    def excerpt(self):
        """The summary, else the start of the text cut at a word."""
        if (self.description or "").strip():
            return self.description.strip()
        return shorten(self.plain_text, EXCERPT_LENGTH)

    def searchable_text(self):
        return "\n".join(p for p in (self.title, self.description, self.author,
                                     self.plain_text) if p)


def shorten(text, length):
    """*text* cut to about *length* characters at a word, with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[:length]
    if text[length] != " ":  # in the middle of a word: drop it
        cut = cut.rsplit(" ", 1)[0] or cut
    return cut.rstrip(" ,.;:") + "…"
