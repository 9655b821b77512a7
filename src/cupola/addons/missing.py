"""Content whose class is gone: read-only placeholders instead of crashes.

When an add-on's package is removed, ZODB cannot import the classes of the
content it made. Its default is a ``ZODB.broken`` object that has none of
an item's attributes, so every listing that shows a title would fail. The
databases Cupola opens use ``class_factory`` instead: a missing class
becomes a subclass of ``MissingContent``, under the same module and name,
which

* provides ``IItem`` and ``IMissingContent`` (so a placeholder view shows it);
* answers the attributes of its stored state (``title``, ``description``,
  ``created``, ``workflow_state``...) and an item's defaults for the rest;
* can be taken out of its container (deleted, into the recycle bin): its
  ``__parent__`` and ``__name__`` change in memory only;
* refuses every other change with ``MissingContentModified``, and is never
  written back, so its stored state waits intact for the package's return;
* when its state is a container's (it has ``_items``, ``_order``, ``_count``:
  a folder type of the add-on), it also provides ``IContainer`` and lists,
  finds and takes out its children through the core Container's methods.
  Those change only the children's own records (the BTree, the order, the
  counter), never the missing record.
"""

from persistent import Persistent
from ZODB.broken import Broken, BrokenModified, PersistentBroken, find_global
from zope.interface import implementedBy, implementer
from zope.interface.declarations import Provides

from cupola.content.container import Container
from cupola.content.item import Item
from cupola.exceptions import Conflict
from cupola.interfaces import IContainer, IItem


class IMissingContent(IItem):
    """Content whose class cannot be imported (its add-on is not installed)."""


class IMissingContainer(IMissingContent, IContainer):
    """Missing content whose stored state is a container's."""


class MissingContentModified(Conflict, BrokenModified):
    """Content of a missing package cannot be changed (a 409 page)."""

    title = "Add-on not installed"
    explanation = ("This content needs an add-on package that is not "
                   "installed on the server: it cannot be changed until the "
                   "package is back. It can still be deleted.")


# an item's class-level defaults (title "", subjects (), effective None...)
DEFAULTS = {name: value for name, value in vars(Item).items()
            if not name.startswith("_") and not callable(value)
            and not isinstance(value, property)}
DEFAULTS["size"] = 0


class _MissingMeta(type):
    """Lets a missing name also stand where an interface was pickled (in a
    ``__provides__`` declaration): iterating it gives no interfaces."""

    def __iter__(cls):
        return iter(())


@implementer(IMissingContent)
class MissingContent(PersistentBroken, metaclass=_MissingMeta):
    """Base of the classes made for missing globals (see the module doc)."""

    def _state(self):
        state = self.__dict__.get("__Broken_state__")
        if isinstance(state, tuple) and state and isinstance(state[0], dict):
            state = state[0]  # (dict, slots)
        return state if isinstance(state, dict) else {}

    def __getattr__(self, name):
        if name.startswith(("_p_", "__Broken", "_v_")) or (
                name.startswith("__") and name.endswith("__")):
            raise AttributeError(name)
        if self._p_jar is not None and self._p_changed is None:
            self._p_activate()
        state = self._state()
        if name in state:
            return state[name]
        if name in DEFAULTS:
            return DEFAULTS[name]
        raise AttributeError(f"{type(self).__module__}.{type(self).__name__} "
                             f"(not installed) has no {name!r}")

    def _located(self, name):
        moved = self.__dict__.get("_cupola_moved", {})
        if name in moved:
            return moved[name]
        return self._state().get(name)

    __parent__ = property(lambda self: self._located("__parent__"))
    __name__ = property(lambda self: self._located("__name__"))

    @property
    def type_name(self):
        return self._state().get("type_name") or type(self).__name__

    @property
    def missing_class(self):
        """Dotted name of the class that is gone."""
        return f"{type(self).__module__}.{type(self).__name__}"

    def __setattr__(self, name, value):
        if name.startswith("_p_") or name.startswith("_v_"):
            Persistent.__setattr__(self, name, value)
        elif name in ("__parent__", "__name__"):
            # taken out of or put into a container: kept in memory only,
            # the stored record stays as it was
            self.__dict__.setdefault("_cupola_moved", {})[name] = value
        else:
            raise MissingContentModified(
                f"{self.title or self.missing_class!r} needs the package "
                f"{self.missing_class.split('.')[0]!r}, which is not installed: "
                "it cannot be changed until the package is back.")

    def __repr__(self):
        return f"<missing {self.missing_class} {self.__name__!r}>"

    # -- a container's state: the core Container's reading and removing --

    @property
    def is_container(self):
        return "_items" in self._state() and "_order" in self._state()

    @property
    def __providedBy__(self):
        cls = type(self)
        return Provides(cls, IMissingContainer) if self.is_container else implementedBy(cls)

    def _container(method, on_item=None):
        def call(self, *args, **kw):
            if self.is_container:
                return method(self, *args, **kw)
            if on_item is not None:
                return on_item(self, *args, **kw)
            raise TypeError(f"{self!r} is not a container")
        call.__name__, call.__doc__ = method.__name__, method.__doc__
        return call

    def _no_child(self, name, *args):
        raise KeyError(name)

    __getitem__ = _container(Container.__getitem__, _no_child)
    get = _container(Container.get, lambda self, name, default=None: default)
    __contains__ = _container(Container.__contains__, lambda self, name: False)
    __len__ = _container(Container.__len__)
    __iter__ = _container(Container.__iter__)
    keys = _container(Container.keys)
    values = _container(Container.values)
    items = _container(Container.items)
    slice = _container(Container.slice)
    slice_names = _container(Container.slice_names)
    position = _container(Container.position)
    remove = _container(Container.remove)
    __delitem__ = _container(Container.__delitem__)
    del _container, _no_child

    def __bool__(self):
        return True


_classes = {}  # {(module, name): class}


def missing_class(module, name):
    """The MissingContent subclass standing for ``module.name``."""
    cls = _classes.get((module, name))
    if cls is None:
        cls = _classes[(module, name)] = _MissingMeta(
            name, (MissingContent,), {"__module__": module})
    return cls


def class_factory(connection, module, name):
    """``ZODB.DB``'s class factory: the real global, else a MissingContent."""
    found = find_global(module, name)
    if isinstance(found, type) and issubclass(found, Broken) \
            and not issubclass(found, MissingContent):
        return missing_class(module, name)
    return found


def includeme(config):
    from cupola.addons.placeholders import PlaceholderView
    config.add_view(PlaceholderView, "view", context=IMissingContent,
                    permission="cupola.ModifyContent",
                    template="addon_placeholder.pt")


__all__ = ["IMissingContainer", "IMissingContent", "MissingContent", "MissingContentModified",
           "class_factory", "missing_class"]
