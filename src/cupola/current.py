"""What the running thread works with: the application's registry (so
that events fired from content reach its handlers) and the add-ons active
in the site of the request (see cupola.addons)."""

import threading

import zope.event


# -- the registry of the thread: events fired from content reach it ---------

_local = threading.local()


def push_registry(registry):
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(registry)


def pop_registry():
    _local.stack.pop()


def query_current_registry():
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


# -- the add-ons active in the site this thread works on ----------------------

def push_active_addons(names):
    """Make *names* (a frozenset) the active add-ons until the matching pop."""
    stack = getattr(_local, "active", None)
    if stack is None:
        stack = _local.active = []
    stack.append(names)


def pop_active_addons():
    _local.active.pop()


def query_active_addons():
    """The active add-ons of the current site, or None outside any site
    (scripts that did not ask: then every add-on counts as active)."""
    stack = getattr(_local, "active", None)
    return stack[-1] if stack else None


def type_available(type_name):
    """Whether content of *type_name* may be added in the current site."""
    active = query_active_addons()
    if active is None:
        return True
    registry = query_current_registry()
    info = registry.types.get(type_name) if registry is not None else None
    return info is None or info.addon is None or info.addon in active


def _dispatch(event):
    registry = query_current_registry()
    if registry is not None:
        registry.notify(event)


if _dispatch not in zope.event.subscribers:
    zope.event.subscribers.append(_dispatch)
