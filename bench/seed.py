"""A database for the HTTP benchmarks: a site with ``/bench`` and 20 documents.

It also holds what the security-cost benchmark needs: a chain of published
folders ``/sec/a/b/c`` with a published Document ``/sec/a/b/c/doc``, and a
user ``editor`` with no global role but the local role Editor on
``/sec/a`` (three levels above the document: a → b → c → doc); the
password is ``EDITOR_PASSWORD``.

The text comes from the word list in ``text.py`` with a fixed random seed,
so every run serves the same pages; nothing is downloaded.

    .venv/bin/python bench/seed.py /tmp/bench/Data.fs
"""

import os
import random
import secrets
import sys

from text import body_html, sentence, title

EDITOR, EDITOR_PASSWORD = "editor", "Bench-Editor-2024-pw!"
SECURE_DOCUMENT = "/sec/a/b/c/doc"


def make_document(rng):
    from cupola.content.document import Document
    return Document(title(rng), sentence(rng, 8, 14), body_html(rng))


def seed(path, documents=20, seed_value=2024):
    """Create *path* (a FileStorage) with a site and ``/bench``; return its URI."""
    from cupola.content.folder import Folder
    from cupola.registry import pop_registry, push_registry
    from cupola.wsgi import make_app

    path = os.path.abspath(path)
    uri = f"file://{path}"
    os.environ.pop("CUPOLA_ZODB_URI", None)  # make_app prefers it over zodb_uri
    os.environ.setdefault("CUPOLA_ADMIN_PASSWORD", secrets.token_urlsafe(12))
    app = make_app({"here": os.path.dirname(path)}, zodb_uri=uri)
    rng = random.Random(seed_value)
    push_registry(app.registry)  # so that content events reach subscribers
    try:
        conn = app.db.open()
        with conn.transaction_manager as txn:
            site = conn.root()["cupola.site"]
            if "bench" not in site:
                folder = Folder("Bench", "Pages for the load benchmarks.")
                site.add("bench", folder)
                for i in range(1, documents + 1):
                    folder.add(f"doc-{i:04d}", make_document(rng))
                publish(app.registry, site, [folder, *folder.values()])
                txn.note("bench: seeded /bench")
        with conn.transaction_manager as txn:
            site = conn.root()["cupola.site"]
            if "sec" not in site:
                seed_security(app.registry, site, rng)
                txn.note("bench: seeded /sec and the user editor")
        conn.close()
    finally:
        pop_registry()
        app.db.close()
    return uri


def seed_security(registry, site, rng):
    """``/sec/a/b/c/doc``, all published, and ``editor``, Editor on ``/sec/a``."""
    from cupola.content.folder import Folder
    from cupola.security.localroles import set_local_roles
    from cupola.security.users import add_user
    chain, parent = [], site
    for name in ("sec", "a", "b", "c"):
        folder = Folder(f"Section {name}", sentence(rng, 6, 10))
        parent.add(name, folder)
        chain.append(folder)
        parent = folder
    doc = make_document(rng)
    parent.add("doc", doc)
    publish(registry, site, [*chain, doc])
    for obj in (*chain, doc):  # whatever the workflow did, anonymous may view
        if getattr(obj, "workflow_state", "published") != "published":
            obj.workflow_state = "published"
    add_user(site, EDITOR, EDITOR_PASSWORD)
    set_local_roles(chain[1], EDITOR, ["Editor"])


def publish(registry, site, objects):
    """Take *objects* through their workflow's ``publish`` transition as admin.

    Anonymous visitors see published content only; that is what the
    benchmarks measure. Objects whose type has no workflow are left alone.
    """
    try:
        from cupola.workflow import engine
    except ImportError:  # a Cupola without workflows: everything is public
        return
    from cupola.request import Request
    admin = site.users.get("admin") or next(iter(site.users.values()))
    request = Request.blank("/")
    request.registry, request.site = registry, site
    request.environ["cupola.user"] = admin
    for obj in objects:
        workflow = engine.get_workflow(registry, obj)
        if workflow is not None and "publish" in workflow.transitions:
            engine.do_transition(registry, obj, request, "publish",
                                 actor=admin.login)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: seed.py PATH/Data.fs")
    print(seed(sys.argv[1]))
