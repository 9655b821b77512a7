"""Folders and the site root."""

from BTrees.OOBTree import OOBTree
from zope.interface import implementer

from cupola.content.container import Container
from cupola.interfaces import IFolder, ISite


@implementer(IFolder)
class Folder(Container):
    """A container that editors may order by hand."""

    type_name = "Folder"

    def set_order(self, names):
        """Order children as *names*; ValueError unless a permutation."""
        self._order.set_order(list(names))


@implementer(ISite)
class Site(Folder):
    """The root of a site: also holds its users and settings (not children)."""

    type_name = "Site"
    schema_version = 1

    def __init__(self, title="Cupola", description=""):
        super().__init__(title, description)
        self.users = OOBTree()      # {login: User}, see cupola.security
        self.groups = OOBTree()     # {group id: Group}
        self.settings = OOBTree()   # {key: value}
