"""Content uuids across an import (see ``cupola.content.references``).

An import keeps each object's exported uuid, so references to it (and
from it) still resolve, unless the target site already holds an object
with that uuid, as when a subtree is imported beside its original: then
the imported object gets a new uuid, like a copy, and the reference fields
of the imported objects that pointed at the old one are changed to match.
"""

from zope.schema import getFieldsInOrder

from cupola.content.references import find_by_uuid, new_uuid

REFERENCE_WIDGETS = ("reference", "references")


def plan_uuids(site, uids):
    """{uuid: uuid to give}: the same one when *site* has no object with
    it, else a new one."""
    return {uid: uid if find_by_uuid(site, uid) is None else new_uuid()
            for uid in uids if uid}


def remap_references(schema, values, mapping):
    """*values* ({field: value}) with the uuids in reference fields of
    *schema* replaced as *mapping* says."""
    changed = {old: new for old, new in mapping.items() if old != new}
    if not changed:
        return values
    out = dict(values)
    for name, field in getFieldsInOrder(schema):
        if name not in out or field.queryTaggedValue("cupola.widget") \
                not in REFERENCE_WIDGETS:
            continue
        value = out[name]
        if isinstance(value, str):
            out[name] = changed.get(value, value)
        elif isinstance(value, (tuple, list)):
            out[name] = type(value)(changed.get(v, v) for v in value)
    return out
