"""Containers: children in an OOBTree, a Length counter and an explicit order.

Lookup by name is O(log n) in the OOBTree; ``len()`` reads a
``BTrees.Length`` (no write conflicts between concurrent adds); the order
is an order-statistic tree (``Order``) so positional slices, moves and
inserts stay O(log n) in a folder of a million items.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from zope.interface import implementer

from cupola.content.events import (ObjectAdded, ObjectRemoved,
                                   ObjectWillBeAdded, ObjectWillBeRemoved,
                                   notify)
from cupola.content.item import Item
from cupola.content.order import Order
from cupola.interfaces import IContainer

_marker = object()


@implementer(IContainer)
class Container(Item):
    """An item holding other items by name, in an explicit order."""

    type_name = "Container"

    def __init__(self, title="", description=""):
        super().__init__(title, description)
        self._items = OOBTree()   # {name: Item}
        self._count = Length()    # len() without write conflicts
        self._order = Order()     # names in their explicit order

    # -- reading --

    def __getitem__(self, name):
        return self._items[name]

    def get(self, name, default=None):
        return self._items.get(name, default)

    def __contains__(self, name):
        return name in self._items

    def __len__(self):
        return self._count()

    def __bool__(self):
        return True  # a container is never false, even when empty

    def __iter__(self):
        return iter(self._order)

    def keys(self):
        return iter(self._order)

    def values(self):
        items = self._items
        return (items[name] for name in self._order)

    def items(self):
        items = self._items
        return ((name, items[name]) for name in self._order)

    def slice(self, start, stop):
        """Children from position *start* to *stop*, in order."""
        items = self._items
        return [items[name] for name in self._order.slice(start, stop)]

    def slice_names(self, start, stop):
        """Names of the children from position *start* to *stop*, in order."""
        return list(self._order.slice(start, stop))

    def position(self, name):
        return self._order.index(name)

    # -- changing (events fire here; see cupola.content.operations) --

    def add(self, name, obj, index=None, send_events=True):
        """Store *obj* as *name*; the caller has validated the name."""
        if name in self._items:
            raise KeyError(f"{name!r} already exists")
        if send_events:
            notify(ObjectWillBeAdded(obj, self, name))
        obj.__parent__, obj.__name__ = self, name
        self._items[name] = obj
        if index is None:
            self._order.append(name)
        else:
            self._order.insert(index, name)
        self._count.change(1)
        if send_events:
            notify(ObjectAdded(obj, self, name))
        return obj

    __setitem__ = add

    def remove(self, name, send_events=True):
        """Take the child *name* out and return it."""
        obj = self._items[name]
        if send_events:
            notify(ObjectWillBeRemoved(obj, self, name))
        del self._items[name]
        self._order.remove(name)
        self._count.change(-1)
        if send_events:
            notify(ObjectRemoved(obj, self, name))
        obj.__parent__ = None
        return obj

    def __delitem__(self, name):
        self.remove(name)

    def rename_child(self, old, new):
        """Give child *old* the name *new*, keeping its place in the order."""
        if new in self._items:
            raise KeyError(f"{new!r} already exists")
        obj = self._items.pop(old)
        self._items[new] = obj
        self._order.rename(old, new)
        obj.__name__ = new
        return obj

    def move_child(self, name, index):
        """Move child *name* to position *index*."""
        self._order.move(name, index)


def subtree(obj):
    """*obj* and everything inside it, parents before children, in order."""
    stack = [obj]
    while stack:
        node = stack.pop()
        yield node
        if IContainer.providedBy(node):
            stack.extend(reversed(list(node.values())))


def count_inside(obj):
    """Objects inside *obj* at any depth (only containers are loaded)."""
    total, stack = 0, [obj]
    while stack:
        node = stack.pop()
        if IContainer.providedBy(node):
            total += len(node)
            stack.extend(c for c in node.values() if _is_container(c))
    return total


def _is_container(obj):
    """IContainer.providedBy without loading a ghost: asking an object
    what it provides loads it (a whole document, to count it); a ghost
    answers by its class."""
    if getattr(obj, "_p_status", None) == "ghost":
        return IContainer.implementedBy(type(obj))
    return IContainer.providedBy(obj)
