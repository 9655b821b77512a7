"""Every admin page's server time on a 1,000-item site, against raw WSGI hello.

    .venv/bin/python bench/admin_pages.py              # 20 calls a page
    .venv/bin/python bench/admin_pages.py --runs 50 --items 1000

1. Builds a site as the application does on first run (``bootstrap`` with
   the registry of ``cupola.wsgi.configure({})``) in a FileStorage under a
   temporary folder, then ``--items`` Documents (1,000) in ten folders
   ``/bench/f-N`` added with ``container.add`` (events fire: workflow
   state, catalog), one of them edited five times (a history to show),
   40 users and 5 groups, 10 items in the recycle bin, a customised
   template, and an item referring to another.
2. Reopens the database, makes the WSGI application, signs in as the
   admin (a Manager) through ``@@login`` (WebTest) and times the
   application itself: the WSGI call with the body read to its end, no
   HTTP. Each page is called twice to warm up, then ``--runs`` times; the
   figure is the median in ms ("first" is the first call, which also
   compiles the page's template and, for ``@@undo``, checks what can be
   undone: later views reuse those checks until the next commit). The raw WSGI ``hello`` app (``hello.py``)
   is timed the same way in the same run, before and after the pages, and
   each page's ratio is its median over hello's.

Target: a median under 100 ms for each page. No assertion: figures only.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:
    import cupola  # noqa: F401
except ImportError as e:
    sys.exit(f"bench: cannot import cupola ({e}); run it with the project's "
             ".venv/bin/python")

import transaction  # noqa: E402

from text import sentence, title  # noqa: E402

PASSWORD = "bench-admin-password"
TARGET_MS = 100
FOLDERS = 10
DOC = "/bench/f-0/doc-0000"
PAGES = [  # (label, path); "{trash}" is the key of an item in the recycle bin
    ("page with toolbar", DOC),
    ("edit", f"{DOC}/@@edit"),
    ("add form", "/bench/f-0/++add++Document"),
    ("delete confirmation", f"{DOC}/@@delete"),
    ("contents (100 items)", "/bench/f-0/@@contents"),
    ("contents (10 folders)", "/bench/@@contents"),
    ("history", f"{DOC}/@@history"),
    ("history diff", f"{DOC}/@@history-diff?a=1&b=6"),
    ("sharing", "/bench/@@sharing?q=user"),
    ("workflow", f"{DOC}/@@workflow"),
    ("as anonymous", f"{DOC}/@@as-anonymous"),
    ("reference picker", "/bench/f-0/@@reference-picker"),
    ("reference picker search", "/bench/@@reference-picker?q=garden"),
    ("users", "/@@users"),
    ("add user", "/@@add-user"),
    ("edit user", "/@@edit-user?login=user-07"),
    ("reset password", "/@@reset-password?login=user-07"),
    ("delete user", "/@@delete-user?login=user-07"),
    ("groups", "/@@groups"),
    ("add group", "/@@add-group"),
    ("edit group", "/@@edit-group?id=group-1"),
    ("delete group", "/@@delete-group?id=group-1"),
    ("account", "/@@account"),
    ("audit log", "/@@audit"),
    ("undo", "/@@undo"),
    ("recycle bin", "/@@trash"),
    ("restore from bin", "/@@trash-restore?key={trash}"),
    ("purge from bin", "/@@trash-purge?key={trash}"),
    ("empty bin", "/@@trash-empty"),
    ("settings", "/@@settings"),
    ("database", "/@@database"),
    ("templates", "/@@skins"),
    ("template editor", "/@@skins-edit?name=document_view.pt"),
    ("add-ons", "/@@addons"),
]


def build(path, items, log=print):
    """The site described in the module docstring, in a FileStorage at *path*."""
    from cupola.content import operations as ops
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    from cupola.customlayer import save_template
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.db.storage import open_db
    from cupola.registry import pop_registry, push_registry
    from cupola.security.users import add_group, add_member, add_user
    from cupola.skins import default_skins_dir
    from cupola.wsgi import configure
    import random

    registry = configure({}).registry
    db = open_db(f"file://{path}")
    bootstrap(db, admin_password=PASSWORD, echo=None, registry=registry)
    rng = random.Random(5)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    try:
        tm.begin()
        site = get_site(conn)
        bench = site.add("bench", Folder("Bench"))
        per = max(1, items // FOLDERS)
        for f in range(FOLDERS):
            folder = bench.add(f"f-{f}", Folder(f"Folder {f}"))
            for n in range(per):
                doc = Document(f"{title(rng)} {n}", sentence(rng, 6, 12),
                               f"<p>{sentence(rng)}</p><p>{sentence(rng)}</p>")
                doc.workflow_state = "published" if rng.random() < .7 else "private"
                folder.add(f"doc-{n:04d}", doc)
        for n in range(40):
            add_user(site, f"user-{n:02d}", f"a-long-password-{n}", roles=("Member",),
                     fullname=f"User {n}", email=f"user{n}@example.org")
        for g in range(5):
            add_group(site, f"group-{g}", f"Group {g}", roles=("Editor",))
            for n in range(g, 40, 5):
                add_member(site, f"group-{g}", f"user-{n:02d}")
        tm.get().note("bench: content, users and groups")
        tm.commit()
        doc = site["bench"]["f-0"]["doc-0000"]
        for n in range(5):
            tm.begin()
            changes = {"text": f"<p>{sentence(rng)}</p><p>{sentence(rng)}</p>"}
            if n == 4:
                changes["related"] = (site["bench"]["f-1"]["doc-0001"].uuid,)
            ops.edit(registry, doc, changes, actor="admin", comment=f"Edit {n + 1}")
            tm.commit()
        for n in range(10):
            tm.begin()
            ops.delete(site["bench"]["f-9"][f"doc-{n:04d}"], actor="admin")
            tm.commit()
        tm.begin()
        source = (default_skins_dir() / "public" / "site_footer.pt").read_text()
        save_template(site, "site_footer.pt", source, origin="public", login="admin")
        tm.commit()
        log(f"    {per * FOLDERS:,} documents in {FOLDERS} folders, 40 users, 5 groups")
    finally:
        pop_registry()
        conn.close()
        db.close()
    return registry


class Timed:
    """WSGI middleware: the seconds of each call, the body read to its end."""

    def __init__(self, app):
        self.app, self.times = app, []

    def __call__(self, environ, start_response):
        t0 = time.perf_counter()
        body = b"".join(self.app(environ, start_response))
        self.times.append(time.perf_counter() - t0)
        return [body]


def median_ms(client, timed, url, runs):
    """(median ms, first call's ms, first response) of *runs* calls after
    two to warm up."""
    timed.times.clear()
    first = client.get(url)
    if first.status_int != 200:
        raise SystemExit(f"bench: {url} answered {first.status}")
    cold = timed.times[-1] * 1000
    client.get(url)
    timed.times.clear()
    for _ in range(runs):
        client.get(url)
    return statistics.median(timed.times) * 1000, cold, first


def measure(path, runs, registry=None):
    from webtest import TestApp
    from hello import app as hello_app
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    registry = registry or configure({}).registry
    db = open_db(f"file://{path}")
    app = Application(registry, db, {"zodb_uri": f"file://{path}"})
    timed, hello = Timed(app), Timed(hello_app)
    client, hello_client = TestApp(timed), TestApp(hello)
    login = client.get("/@@login")
    csrf = login.html.select_one("input[name=_csrf]")["value"]
    client.post("/@@login", {"_csrf": csrf, "login": "admin",
                             "password": PASSWORD, "came_from": "/"})
    try:
        trash = client.get("/@@trash").html.select_one("a[href*='@@trash-purge']")["href"]
        key = trash.split("key=", 1)[1].split("&", 1)[0]
        hello_before = median_ms(hello_client, hello, "/", max(runs, 50))[0]
        rows = []
        for label, url in PAGES:
            ms, cold, first = median_ms(client, timed, url.format(trash=key), runs)
            rows.append({"page": label, "url": url, "median_ms": ms, "first_ms": cold,
                         "kb": len(first.body) / 1024})
        hello_after = median_ms(hello_client, hello, "/", max(runs, 50))[0]
    finally:
        db.close()
    hello_ms = (hello_before + hello_after) / 2
    for row in rows:
        row["ratio"] = row["median_ms"] / hello_ms
    return hello_ms, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cupola-admin-bench-"))
    path = work / "Data.fs"
    print(f"Building a site with {args.items:,} documents in {path}")
    t0 = time.perf_counter()
    registry = build(path, args.items)
    print(f"    built in {time.perf_counter() - t0:.0f} s")
    print(f"\nAdmin pages signed in as admin (Manager): median of {args.runs} calls "
          "after 2 to warm up")
    hello_ms, rows = measure(path, args.runs, registry)
    print(f"raw WSGI hello: {hello_ms * 1000:.1f} µs a call (the same run)\n")
    print(f"{'page':26} {'median ms':>10} {'× hello':>9} {'first ms':>9} {'KB':>6}")
    for r in rows:
        flag = "" if r["median_ms"] < TARGET_MS else f"  (over {TARGET_MS} ms)"
        print(f"{r['page']:26} {r['median_ms']:10.1f} {r['ratio']:9.0f} "
              f"{r['first_ms']:9.1f} {r['kb']:6.1f}{flag}")
    worst = max(rows, key=lambda r: r["median_ms"])
    print(f"\nTarget: median < {TARGET_MS} ms per page; slowest: {worst['page']} "
          f"{worst['median_ms']:.1f} ms.")


if __name__ == "__main__":
    main()
