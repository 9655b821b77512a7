"""``@@contents`` of a folder of 100,000 documents: server time per page.

    .venv/bin/python bench/contents.py                   # 100,000 documents
    .venv/bin/python bench/contents.py --items 10000     # quicker
    .venv/bin/python bench/contents.py --workdir /tmp/contents-bench
        (keeps the database there; a second run reuses it and skips the build)

1. Builds a site as the application does on first run (``bootstrap`` with
   the registry of ``cupola.wsgi.configure({})``, so the catalog is
   installed) in a FileStorage, then the folder ``/big`` with ``--items``
   Documents added with ``container.add`` in transactions where the
   registry is pushed: the lifecycle events fire as for any add (workflow
   state, the catalog's queue, flushed at commit). A commit every 5,000.
   Titles and summaries come from ``text.py``; 70% published, 10%
   pending, 20% private; created and modified spread over three years.
2. Reopens the database, makes the WSGI application, signs in as the
   admin through ``@@login`` (WebTest) and times the application itself
   (the WSGI call, body included: no HTTP, no WebTest) for each page:
   the first page in the folder's order; a page deep inside (b_start =
   half the folder); sorted by modification date, newest first; that
   sort deep inside; by title, both ways; a filter by a word prefix. Two
   calls warm each page up; then the median and p90 of ``--runs`` calls
   (20), in ms, and the page's size in KB. ``--cache-size`` sets the
   connection's object cache (zodburi's default is 10,000 objects; a
   site this big wants more: ``zodb_uri = file://...?cache_size=50000``).

Target: a median under 200 ms for each page. No assertion: figures only.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:
    import cupola  # noqa: F401
except ImportError as e:
    sys.exit(f"bench: cannot import cupola ({e}); run it with the project's "
             "venv: .venv/bin/python bench/contents.py")

import transaction  # noqa: E402

from text import sentence, title  # noqa: E402

PASSWORD = "bench-admin-password"
COMMIT_EVERY = 5_000
TARGET_MS = 200
YEARS = 3


def build(path, items, log=print):
    """A site in a FileStorage at *path* with /big holding *items* documents."""
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.db.storage import open_db
    from cupola.registry import pop_registry, push_registry
    from cupola.wsgi import configure

    registry = configure({}).registry
    db = open_db(f"file://{path}")
    bootstrap(db, admin_password=PASSWORD, echo=None, registry=registry)
    rng = random.Random(2024)
    now = datetime.now(timezone.utc)
    span = YEARS * 365 * 86400
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    started = time.perf_counter()
    try:
        tm.begin()
        site = get_site(conn)
        folder = site.add("big", Folder("A big folder"))
        tm.commit()
        for start in range(0, items, COMMIT_EVERY):
            tm.begin()
            for n in range(start, min(items, start + COMMIT_EVERY)):
                doc = Document(f"{title(rng)} {n}", sentence(rng, 6, 12),
                               f"<p>{sentence(rng)}</p>")
                doc.created = now - timedelta(seconds=rng.randrange(span))
                doc.modified = doc.created + timedelta(
                    seconds=rng.randrange(int((now - doc.created).total_seconds()) + 1))
                roll = rng.random()
                doc.workflow_state = ("published" if roll < .7 else
                                      "pending" if roll < .8 else "private")
                folder.add(f"doc-{n:06d}", doc)
            tm.get().note(f"bench: documents {start:,} to {n:,}")
            tm.commit()
            log(f"    {n + 1:>9,} documents  {time.perf_counter() - started:6.1f} s")
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


def measure(path, runs, items, registry=None, cache_size=None):
    from webtest import TestApp
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    registry = registry or configure({}).registry
    db = open_db(f"file://{path}", **({"cache_size": cache_size} if cache_size else {}))
    app = Application(registry, db, {"zodb_uri": f"file://{path}"})
    timed = Timed(app)
    client = TestApp(timed)
    login = client.get("/@@login")
    csrf = login.html.select_one("input[name=_csrf]")["value"]
    client.post("/@@login", {"_csrf": csrf, "login": "admin",
                             "password": PASSWORD, "came_from": "/"})
    deep = (items // 2) // 50 * 50
    pages = [
        ("first page, folder order", "/big/@@contents"),
        ("deep page, folder order", f"/big/@@contents?b_start={deep}"),
        ("sorted by modified", "/big/@@contents?sort_on=modified&reverse=1"),
        ("sorted by modified, deep", f"/big/@@contents?sort_on=modified&reverse=1&b_start={deep}"),
        ("sorted by title", "/big/@@contents?sort_on=title"),
        ("sorted by title, Z to A", "/big/@@contents?sort_on=title&reverse=1"),
        ("filtered (q=rep)", "/big/@@contents?q=rep"),
    ]
    out = []
    try:
        for label, url in pages:
            timed.times.clear()
            first = client.get(url)
            assert first.status_int == 200, (url, first.status)
            cold = timed.times[-1]
            client.get(url)
            timed.times.clear()
            for _ in range(runs):
                client.get(url)
            times = sorted(timed.times)
            out.append({"page": label, "url": url,
                        "first_ms": cold * 1000,
                        "median_ms": statistics.median(times) * 1000,
                        "p90_ms": times[int(len(times) * .9) - 1] * 1000,
                        "kb": len(first.body) / 1024,
                        "rows": len(first.html.select("tbody tr"))})
    finally:
        db.close()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workdir", help="keep (and reuse) the database here")
    parser.add_argument("--cache-size", type=int,
                        help="objects in the connection's cache (zodburi's default: 10,000)")
    args = parser.parse_args()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="cupola-contents-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "Data.fs"
    registry = None
    if path.exists():
        print(f"Reusing {path}")
    else:
        print(f"Building /big with {args.items:,} documents in {path}")
        t0 = time.perf_counter()
        registry = build(path, args.items)
        print(f"    built in {time.perf_counter() - t0:.0f} s")
    print(f"\n@@contents, signed in as admin: {args.runs} calls each after 2 to warm up")
    print(f"{'page':32} {'first':>8} {'median':>8} {'p90':>8} {'KB':>6} rows")
    results = measure(path, args.runs, args.items, registry, args.cache_size)
    for r in results:
        flag = "" if r["median_ms"] < TARGET_MS else f"  (over {TARGET_MS} ms)"
        print(f"{r['page']:32} {r['first_ms']:7.1f}  {r['median_ms']:7.1f}  "
              f"{r['p90_ms']:7.1f}  {r['kb']:5.1f} {r['rows']:>4}{flag}")
    worst = max(r["median_ms"] for r in results)
    print(f"\nTarget: median < {TARGET_MS} ms per page; worst median {worst:.1f} ms.")
    if not args.workdir:
        print(f"(database left in {work}; pass --workdir to reuse it)")


if __name__ == "__main__":
    main()
