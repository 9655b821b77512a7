"""Local roles: roles given to a principal on one object and, unless a
folder blocks inheritance, on everything below it."""

from BTrees.OOBTree import OOBTree
from zope.interface import implementer
from zope.interface.interfaces import ObjectEvent

from cupola.content.events import notify
from cupola.interfaces import ILocalRolesModified
from cupola.security.roles import LOCAL_ROLES


@implementer(ILocalRolesModified)
class LocalRolesModified(ObjectEvent):
    """Local roles on ``object`` (or its blocking of inheritance) changed."""


def local_roles(obj):
    """{principal id: tuple of roles} set on *obj* itself."""
    stored = getattr(obj, "_local_roles", None)
    return {} if stored is None else dict(stored.items())


def set_local_roles(obj, principal, roles):
    """Give *principal* exactly *roles* on *obj* (an empty list removes them)."""
    unknown = set(roles) - set(LOCAL_ROLES)
    if unknown:
        raise ValueError(f"not local roles: {', '.join(sorted(unknown))}")
    stored = getattr(obj, "_local_roles", None)
    if stored is None:
        if not roles:
            return
        stored = obj._local_roles = OOBTree()
    before = stored.get(principal, ())
    if roles:
        stored[principal] = tuple(sorted(set(roles)))
    elif principal in stored:
        del stored[principal]
    if stored.get(principal, ()) != before:
        notify(LocalRolesModified(obj))


def add_local_role(obj, principal, role):
    current = set(local_roles(obj).get(principal, ()))
    current.add(role)
    set_local_roles(obj, principal, current)


def blocks_inheritance(obj):
    return bool(getattr(obj, "_block_local_roles", False))


def set_block_inheritance(obj, block):
    if blocks_inheritance(obj) != bool(block):
        obj._block_local_roles = bool(block)
        notify(LocalRolesModified(obj))


def inherited_local_roles(obj):
    """[(principal, roles, source object)] that *obj* inherits from above."""
    found = []
    if blocks_inheritance(obj):
        return found
    node = obj.__parent__
    while node is not None:
        for principal, roles in local_roles(node).items():
            found.append((principal, roles, node))
        if blocks_inheritance(node):
            break
        node = node.__parent__
    return found


def roles_in_context(obj, principals):
    """Local roles of any of *principals* on *obj* and (inherited) above."""
    roles = set()
    node = obj
    while node is not None:
        stored = getattr(node, "_local_roles", None)
        if stored is not None:
            for principal in principals:
                found = stored.get(principal)
                if found:
                    roles.update(found)
        if getattr(node, "_block_local_roles", False):
            break
        node = node.__parent__
    return roles
