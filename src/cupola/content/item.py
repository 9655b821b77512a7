"""The persistent base of every piece of content."""

from datetime import datetime, timezone
from uuid import uuid4

from persistent import Persistent
from zope.interface import implementer

from cupola.interfaces import IItem


def now():
    return datetime.now(timezone.utc)


@implementer(IItem)
class Item(Persistent):
    """A titled, dated piece of content that lives in a container."""

    type_name = "Item"
    __name__ = None
    __parent__ = None
    title = ""
    description = ""
    subjects = ()      # tags (a tuple of strings)
    creator = None
    effective = None   # not shown to visitors before this time
    expires = None     # nor after this one
    uuid = None        # stable id for references (cupola.content.references)

    def __init__(self, title="", description=""):
        self.title = title
        self.description = description
        self.created = self.modified = now()
        self.uuid = uuid4().hex

    def touch(self):
        """Record a modification now."""
        self.modified = now()

    @property
    def size(self):
        """Size in bytes shown in listings (0 when it has no payload)."""
        return 0

    def __repr__(self):
        return f"<{type(self).__name__} {self.__name__!r}>"
