"""References between content by a stable id that survives moves and renames.

Every Item gets ``uuid`` (32 hex digits) when it is made; a copy gets new
ones for its whole subtree. A reference field stores uuids, never paths:

    related = Tuple(value_type=TextLine())   # tagged cupola.widget "references"
    target = TextLine()                      # tagged cupola.widget "reference"

``find_by_uuid`` finds the object through the catalog index ``uuid``
(registered here), so a moved or renamed target is still found;
``related_items`` gives what a view shows: the targets that still exist
and that the viewer may see, in the stored order.
"""

from cupola.content.container import subtree
from cupola.content.item import new_uuid
from cupola.interfaces import IItem, IObjectCopied

UUID_INDEX = "uuid"


def ensure_uuid(obj):
    """The uuid of *obj*, given one first if it has none (content made
    before uuids existed)."""
    found = getattr(obj, "uuid", None)
    if not found:
        found = obj.uuid = new_uuid()
    return found


def object_uuid(obj, registry=None):
    """The catalog index getter: the stored uuid or None (not indexed)."""
    return getattr(obj, "uuid", None) or None


def find_by_uuid(site, uid):
    """The object of the site with uuid *uid*, or None (any user: callers
    that show it check the permission)."""
    catalog = getattr(site, "catalog", None)
    if catalog is None or not uid or not isinstance(uid, str):
        return None
    for brain in catalog.search(None, unrestricted=True, **{UUID_INDEX: uid}):
        obj = brain.getObject()
        if obj is not None and getattr(obj, "uuid", None) == uid:
            return obj
    return None


def resolve(site, uids):
    """[(uid, object or None)] for *uids*, in order, without repeats."""
    return [(uid, find_by_uuid(site, uid)) for uid in dict.fromkeys(uids or ())]


def related_items(obj, request, name="related"):
    """The objects *obj*'s reference field *name* points at that still exist
    and that *request*'s user may view, in the stored order."""
    from cupola.security.policy import has_permission
    from cupola.security.roles import VIEW
    uids = getattr(obj, name, None) or ()
    if isinstance(uids, str):
        uids = (uids,)
    site = request.site
    return [target for _, target in resolve(site, uids)
            if target is not None and has_permission(VIEW, target, request)]


def renew_uuids(obj, event):
    """A copy is a new object: new uuids for it and everything inside it."""
    for node in subtree(obj):
        node.uuid = new_uuid()


def includeme(config):
    config.add_catalog_index(UUID_INDEX, "field", object_uuid)
    config.add_subscriber(renew_uuids, IItem, IObjectCopied)
