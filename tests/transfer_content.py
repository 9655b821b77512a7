"""A subtree with every kind of content, and a field-by-field comparison:
shared by the export/import tests (tests/unit/transfer, tests/unit/cli)."""

import io
from datetime import datetime, timezone

from zope.schema import getFieldsInOrder

from cupola.content import operations as ops
from cupola.content.revisions import FileVersion, revisions
from cupola.interfaces import IContainer
from cupola.security.localroles import (blocks_inheritance, local_roles,
                                        set_block_inheritance, set_local_roles)
from cupola.workflow.engine import _entry

RICH = ('<h2>Minutes</h2><p>Caf\u00e9 <strong>bold</strong> and <em>italic</em>, '
        '<a href="https://example.org/x?a=1&amp;b=2">a link</a></p>'
        '<ul><li>one</li><li>two</li></ul>')


def open_site(uri):
    """(registry, db, connection, site) of the database at *uri*, with the
    registry pushed; give them back with ``close``."""
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    from cupola.registry import push_registry
    from cupola.wsgi import configure
    registry = configure({}).registry
    push_registry(registry)
    db = open_db(uri)
    conn = db.open()
    return registry, db, conn, get_site(conn)


def close(db, conn, commit=True):
    """Commit (or abort), close *conn* and *db*, pop the registry."""
    import transaction
    from cupola.registry import pop_registry
    (transaction.commit if commit else transaction.abort)()
    conn.close()
    db.close()
    pop_registry()


def png(width=3, height=2, color=(200, 10, 10)):
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def publish_with_history(obj, actor="admin"):
    obj.workflow_history.append(_entry("publish", actor, obj.workflow_state,
                                       "published", "Looks good"))
    obj.workflow_state = "published"


def make_sample(registry, site, name="sub"):
    """/sub: folders, rich text, an image and a file (with an older
    version), tags, dates, states, local roles, a custom order, a link."""
    create = ops.create
    sub = create(registry, site, "Folder", {"title": "Sub tree",
                                            "description": "All kinds"},
                 name=name, creator="admin")
    doc = create(registry, sub, "Document", {
        "title": "Minutes", "text": RICH, "subjects": ("board", "2026"),
        "effective": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "expires": datetime(2036, 1, 1, tzinfo=timezone.utc)},
        name="minutes", creator="editor1")
    ops.edit(registry, doc, {"title": "Board minutes"}, actor="editor2",
             comment="A better title")
    publish_with_history(doc)
    create(registry, sub, "Document", {"title": "Draft", "text": "<p>secret plan</p>"},
           name="draft", creator="editor1")
    create(registry, sub, "Image", {"title": "Logo",
                                    "file": (png(), "logo.png", "image/png")},
           name="logo.png", creator="admin")
    data = bytes(range(256)) * 300
    report = create(registry, sub, "File", {"title": "Report",
                                            "file": (b"first version", "report.txt", "text/plain"),
                                            "subjects": ("reports",)},
                    name="report", creator="admin")
    ops.edit(registry, report, {"file": (data, "report.bin", "application/octet-stream")},
             actor="admin", comment="New data")
    inner = create(registry, sub, "Folder", {"title": "Inner"}, name="inner",
                   creator="admin")
    create(registry, inner, "Link", {"title": "Example", "url": "https://example.org/"},
           name="example", creator="admin")
    create(registry, inner, "Document", {"title": "Deep page", "text": "<p>deep</p>"},
           name="deep", creator="admin")
    publish_with_history(sub)
    publish_with_history(inner)
    set_local_roles(sub, "bob", ["Editor", "Reviewer"])
    set_local_roles(inner, "carol", ["Contributor"])
    set_block_inheritance(inner, True)
    sub.set_order(["inner", "report", "logo.png", "draft", "minutes"])
    ops.edit(registry, doc, {"related": (report.uuid, inner["deep"].uuid)})  # by uuid
    return sub


def _walk(obj, path=""):
    yield path or "/", obj
    if IContainer.providedBy(obj):
        for name, child in obj.items():
            yield from _walk(child, f"{path}/{name}")


def _plain(value):
    if isinstance(value, FileVersion):
        with value.blob.open("r") as f:
            data = f.read()
        return ("file", data, value.filename, value.content_type, value.size,
                value.width, value.height)
    return value


def describe(registry, obj):
    """Everything an export must keep of *obj*, as plain values."""
    from cupola.content.revisions import field_value
    info = registry.types[obj.type_name]
    fields = {n: _plain(field_value(obj, n)) for n, _ in getFieldsInOrder(info.schema)}
    return {
        "type": obj.type_name, "fields": fields, "created": obj.created,
        "modified": obj.modified, "creator": obj.creator,
        "state": getattr(obj, "workflow_state", None),
        "history": [dict(e) for e in getattr(obj, "workflow_history", ())],
        "roles": local_roles(obj), "block": blocks_inheritance(obj),
        "order": list(obj.keys()) if IContainer.providedBy(obj) else None,
        "revisions": [(r.number, r.action, r.actor, r.time, r.comment, r.fields,
                       {k: _plain(v) for k, v in r.values.items()},
                       r.reverted_to) for r in revisions(obj)],
        "width": getattr(obj, "width", None), "size": obj.size,
        "uuid": getattr(obj, "uuid", None),
    }


def differences(registry, a, b):
    """[(path, key, a value, b value)] wherever the subtrees differ."""
    left, right = dict(_walk(a)), dict(_walk(b))
    found = []
    if list(left) != list(right):
        found.append(("/", "paths", list(left), list(right)))
    for path in left:
        if path not in right:
            continue
        da, db = describe(registry, left[path]), describe(registry, right[path])
        found.extend((path, k, da[k], db[k]) for k in da if da[k] != db[k])
    return found
