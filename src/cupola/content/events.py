"""Object lifecycle events: ObjectWillBeAdded, then ObjectAdded, and so on.

Events are fired by the content operations through ``notify``; handlers are
registered with ``config.add_subscriber(handler, IFolder, IObjectAdded)``.
"""

import zope.event
from zope.interface import implementer
from zope.interface.interfaces import ObjectEvent

from cupola.interfaces import (IObjectAdded, IObjectCopied, IObjectModified,
                               IObjectMoved, IObjectRemoved,
                               IObjectWillBeAdded, IObjectWillBeMoved,
                               IObjectWillBeRemoved)

notify = zope.event.notify


class _PlaceEvent(ObjectEvent):
    def __init__(self, obj, parent, name):
        super().__init__(obj)
        self.parent, self.name = parent, name


@implementer(IObjectWillBeAdded)
class ObjectWillBeAdded(_PlaceEvent):
    pass


@implementer(IObjectAdded)
class ObjectAdded(_PlaceEvent):
    pass


@implementer(IObjectWillBeRemoved)
class ObjectWillBeRemoved(_PlaceEvent):
    pass


@implementer(IObjectRemoved)
class ObjectRemoved(_PlaceEvent):
    pass


@implementer(IObjectModified)
class ObjectModified(ObjectEvent):
    def __init__(self, obj, fields=(), old=None, actor=None, comment=""):
        super().__init__(obj)
        self.fields = tuple(fields)
        self.old = dict(old or {})  # {field: value before the change}
        self.actor, self.comment = actor, comment or ""


class _MoveEvent(ObjectEvent):
    def __init__(self, obj, old_parent, old_name, new_parent, new_name):
        super().__init__(obj)
        self.old_parent, self.old_name = old_parent, old_name
        self.new_parent, self.new_name = new_parent, new_name


@implementer(IObjectWillBeMoved)
class ObjectWillBeMoved(_MoveEvent):
    pass


@implementer(IObjectMoved)
class ObjectMoved(_MoveEvent):
    pass


@implementer(IObjectCopied)
class ObjectCopied(ObjectEvent):
    def __init__(self, obj, original):
        super().__init__(obj)
        self.original = original
