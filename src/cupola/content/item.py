"""The persistent base of every piece of content."""

import os
import time
from datetime import datetime, timezone

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
        self.uuid = new_uuid()

    def touch(self):
        """Record a modification now."""
        self.modified = now()

    @property
    def size(self):
        """Size in bytes shown in listings (0 when it has no payload)."""
        return 0

    def __repr__(self):
        return f"<{type(self).__name__} {self.__name__!r}>"


def new_uuid():
    """A new uuid as 32 hex digits, of version 7 (RFC 9562): 48 bits of
    milliseconds since the epoch, then random bits. Ids made later sort
    later, so that the catalog's ``uuid`` index grows at its end instead
    of rewriting a random bucket for each new object."""
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80
    value |= int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76   # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62   # the RFC's variant
    return f"{value:032x}"
