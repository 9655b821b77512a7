"""Big folders in-process (no HTTP): add, lookup and ordered slice.

One FileStorage grows to each size in turn (100,000 items, then 1,000,000
with ``--big``), committing every 10,000 adds. At each size the database is
closed and reopened, so the first pass over 1,000 random names is *cold*
(an empty object cache; buckets come from the file, which the OS has
cached), and the second pass over the same names is *warm*; "read" also
loads the document itself (``folder[name].title``). Cold slices start at
100 random positions; the warm slice is ``slice(n//2, n//2 + 50)`` again
and again.

The build is a bulk load (``send_events=False``). The timed adds fire the
lifecycle events to the application's subscribers (workflow state and
history, and whatever else is registered), as an add in a request does;
they are timed one by one and committed every 100, and the amortised
figure includes those commits. Every per-op figure is a median in
microseconds.
"""

import os
import random
import statistics
import time

import transaction

from cupola.registry import pop_registry, push_registry, query_current_registry
from text import sentence, title

BUILD_BATCH = 10_000
OPS = 1_000
ADD_BATCH = 100
SLICE = 50
COLD_SLICES = 100


def _open(path):
    from cupola.db.storage import open_db
    return open_db(f"file://{path}")  # zodburi defaults: cache of 10,000 objects


_REGISTRY = []


def _registry():
    """The application's registry (subscribers included), made once."""
    if not _REGISTRY:
        from cupola.wsgi import configure
        _REGISTRY.append(configure({}).registry)
    return _REGISTRY[0]


def _item(rng, i):
    from cupola.content.document import Document
    return Document(title(rng), sentence(rng, 6, 12),
                    f"<p>{sentence(rng)}</p><p>{sentence(rng)}</p>")


def grow(path, target, rng, log=print):
    """Append documents to ``root['big']`` until it holds *target*; seconds taken."""
    from cupola.content.folder import Folder
    db = _open(path)
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    started = time.perf_counter()
    try:
        tm.begin()
        root = conn.root()
        if "big" not in root:
            root["big"] = Folder("Big folder")
            tm.commit()
            tm.begin()
        folder = root["big"]
        i = root.get("big_items", 0)   # item-* names so far (measure adds others)
        while i < target:
            stop = min(target, i + BUILD_BATCH)
            for k in range(i, stop):  # a bulk load: no events
                folder.add(f"item-{k:07d}", _item(rng, k), send_events=False)
            root["big_items"] = stop
            tm.get().note(f"bench: items {i}-{stop}")
            tm.commit()
            tm.begin()
            i = stop
            if i % 100_000 == 0:
                log(f"    {i:>9,} items  {time.perf_counter() - started:6.1f} s")
        tm.abort()
    finally:
        conn.close()
        db.close()
    return time.perf_counter() - started


def _timed(op, args):
    times = []
    for a in args:
        t0 = time.perf_counter()
        op(a)
        times.append(time.perf_counter() - t0)
    return times


def _us(times):
    return statistics.median(times) * 1e6


def measure(path, rng):
    """Per-op medians (µs) on the folder as it is now; see the module docstring."""
    db = _open(path)
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    out = {}
    try:
        tm.begin()
        folder = conn.root()["big"]
        n = len(folder)
        items = conn.root()["big_items"]
        names = [f"item-{k:07d}" for k in rng.sample(range(items), OPS)]
        get = folder.__getitem__
        out["lookup_cold"] = _us(_timed(get, names))
        out["lookup_warm"] = _us(_timed(get, names))
        out["read_cold"] = _us(_timed(lambda name: get(name).title, names))
        out["read_warm"] = _us(_timed(lambda name: get(name).title, names))
        mid = n // 2
        starts = rng.sample(range(n - SLICE), COLD_SLICES)  # each far from the others
        out["slice_cold"] = _us(_timed(lambda i: folder.slice(i, i + SLICE), starts))
        assert len(folder.slice(mid, mid + SLICE)) == SLICE
        out["slice_warm"] = _us(_timed(lambda _: folder.slice(mid, mid + SLICE),
                                       range(OPS)))
        docs = [_item(rng, k) for k in range(2 * OPS)]
        push_registry(_registry())  # adds fire events to subscribers, as in a request
        for label, index in (("add", None), ("insert_middle", mid)):
            times, started = [], time.perf_counter()
            for k in range(OPS):
                doc = docs.pop()
                name = f"{label}-{n}-{k:04d}"
                t0 = time.perf_counter()
                folder.add(name, doc, index=index)
                times.append(time.perf_counter() - t0)
                if (k + 1) % ADD_BATCH == 0:
                    tm.commit()
                    tm.begin()
                    folder = conn.root()["big"]
            out[label] = _us(times)
            out[label + "_amortised"] = (time.perf_counter() - started) / OPS * 1e6
        assert folder.position(f"insert_middle-{n}-{OPS - 1:04d}") == mid
        tm.abort()
    finally:
        if query_current_registry() is not None:
            pop_registry()
        conn.close()
        db.close()
    return n, out


FIGURES = [  # (key, label)
    ("add", "add (append), median"),
    ("add_amortised", "add (append), amortised incl. commits every 100"),
    ("insert_middle", "add at the middle (index=n/2), median"),
    ("insert_middle_amortised", "add at the middle, amortised incl. commits"),
    ("lookup_cold", "folder[name], cold cache, median"),
    ("lookup_warm", "folder[name], warm cache, median"),
    ("read_cold", "folder[name].title, object not loaded yet, median"),
    ("read_warm", "folder[name].title, warm cache, median"),
    ("slice_cold", "50-item slices at 100 random places, cold cache, median"),
    ("slice_warm", "slice(n/2, n/2+50), warm cache, median"),
]


def run(workdir, sizes, log=print, seed_value=7):
    """Grow one database through *sizes*; return result records."""
    path = os.path.join(workdir, "big", "Data.fs")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = random.Random(seed_value)
    results = []
    for size in sizes:
        tag = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}m"
        log(f"  building a folder of {size:,} documents")
        seconds = grow(path, size, rng, log)
        results.append({"name": f"folder_{tag}_build", "value": round(seconds, 1),
                        "unit": "s", "detail": f"grow to {size:,} items, "
                        f"commit every {BUILD_BATCH:,}"})
        n, figures = measure(path, rng)
        for key, label in FIGURES:
            value = figures[key]
            results.append({"name": f"folder_{tag}_{key}", "value": round(value, 1),
                            "unit": "us/op", "detail": f"{label} ({n:,} items)"})
            log(f"    {key:<24} {value:9.1f} µs/op")
        mb = os.path.getsize(path) / 2**20
        results.append({"name": f"folder_{tag}_datafs", "value": round(mb, 1),
                        "unit": "MB", "detail": "Data.fs size"})
    return results
