"""The catalog: indexing throughput, query latency, bytes per document.

    .venv/bin/python bench/catalog.py                # 100,000 documents
    .venv/bin/python bench/catalog.py --quick        # 10,000
    .venv/bin/python bench/catalog.py --docs 20000 --queries 500 --workdir /tmp/cat

1. Builds a site as the application does on first run (``bootstrap`` with
   the registry of ``cupola.wsgi.configure({})``, so the catalog is
   installed) in a FileStorage, then ~100 folders three levels deep and
   ``--docs`` Documents, each made with ``cupola.content.operations.create``
   with the registry pushed, so that the real event path queues it and the
   queue flushes at commit; a commit every 1,000 documents. The text is
   generated from a fixed vocabulary (``text.WORDS``, derived forms, common
   English function words and made-up words: about 20,000 in all) drawn
   with Zipf-Mandelbrot frequencies: titles of 3-8 words, descriptions of
   10-25, bodies of 150-400 in ``<p>`` paragraphs; 0-4 tags of 200; 50
   creators; created and modified over 3 years; 70% published, 10%
   pending, 20% private (workflow transitions, as an editor does); 15%
   with an effective date (a few in the future) and 5% with an expiry date
   (half past). Generating the data is not timed.
   Figures: documents/s end to end (create, events, transitions, commit)
   and for the catalog's part, the time spent in ``IndexQueue.flush``.
2. Reopens the database (an empty object cache, zodburi's default size),
   warms a fresh connection up with as many queries as are timed, then
   times ``--queries`` runs of each kind, as Anonymous (``request=None``,
   so security filtering applies), each with its own parameters:
   ``text``, one or two mid-frequency words (vocabulary ranks 1,000-5,000),
   relevance order, the first 20 brains and their titles;
   ``path_type``, a folder's subtree, ``type="Document"``, newest modified
   first, 20 brains and titles; ``facets_text`` and ``facets_path``,
   ``facets("type", "state", "subject", "modified")`` over the same text
   queries and over a top-level section; and ``facets_site``, the same
   over the whole site. p50 and p99 in ms.
3. Packs the database and takes the size of Data.fs; copies it, deletes
   ``site.catalog`` from the copy, commits and packs it: the difference is
   the catalog, per document. Then builds a catalog again on the copy
   (``Catalog``, ``sync``, ``reindex(commit_every=1000)``): the bulk
   indexing rate, from objects on disk.
4. Prints the figures and writes them to ``bench/results/catalog.json``.

Targets: indexing >= 1,000 documents/s; queries p50 < 10 ms and p99 < 50
ms; the catalog < 2 KB per document. ``--profile`` writes the 25 hottest
functions (by own time) of the build's commits (flush and write) and of
the queries to ``bench/results/profile-catalog-*.txt`` (the figures of
such a run are slower). ``--cache-size`` changes the connections' object
cache from zodburi's default of 10,000 objects.
"""

import argparse
import cProfile
import io
import itertools
import json
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:
    import cupola  # noqa: F401
except ImportError as e:
    sys.exit(f"bench: cannot import cupola ({e}); run it with the project's "
             "venv: .venv/bin/python bench/catalog.py")

import transaction  # noqa: E402

from text import WORDS  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "catalog.json"
BATCH = 1_000
BULK_BATCH = 5_000  # what `cupola reindex` commits at by default
SINGLE_ADDS = 30  # one-document commits timed after the build (after 5 more)
BATCH_SIZE = 20                       # brains per results page
MID_RANKS = (1_000, 5_000)            # the vocabulary ranks of query words
YEARS = 3
TARGETS = {"index_rate": 1_000, "p50_ms": 10, "p99_ms": 50, "catalog_bytes": 2048}

FUNCTION_WORDS = """the of and to a in is that for it as with was on be by
this are from at or an have not which but they has their its we can more
will also one all these been other into were there would about when who
may than some what out only new such after first two over most could
""".split()
SUFFIXES = ("s", "ed", "ing", "er", "al", "ly", "ment", "ness", "ive", "ist")
ONSETS = "b c d f g h k l m n p r s t v w br ch cl dr fl gr pl pr sh st th tr".split()
VOWELS = "a e i o u ai ea ee ia io ou".split()
CODAS = ["", "", "", "n", "r", "s", "l", "m", "nd", "st", "rt", "ck"]


# -- the corpus -------------------------------------------------------------

class Corpus:
    """Words, tags and creators with skewed frequencies, from a fixed seed."""

    def __init__(self, seed=2024, size=20_000):
        rng = random.Random(seed)
        self.vocab = _vocabulary(rng, size)
        # Zipf-Mandelbrot: weight of rank r is 1 / (r + 2.7); "the" is ~10%
        self._cum = list(itertools.accumulate(1 / (r + 2.7)
                                              for r in range(1, len(self.vocab) + 1)))
        tags = sorted(set(WORDS))
        rng.shuffle(tags)
        pairs = [f"{a}-{b}" for a, b in zip(tags[:60], tags[60:120])]
        self.tags = (tags[:140] + pairs)[:200]
        self._tag_cum = list(itertools.accumulate(1 / (r + 5)
                                                  for r in range(1, 201)))
        first = "ana ben chloe dev emma femi gus hana ivan jo kai lena mo".split()
        last = "kim ortiz smith ng weber rossi".split()
        self.users = [f"{f}.{ln}" for f in first for ln in last][:50]
        self._user_cum = list(itertools.accumulate(1 / (r + 3)
                                                   for r in range(1, 51)))

    def words(self, rng, n):
        return rng.choices(self.vocab, cum_weights=self._cum, k=n)

    def sentence(self, rng, lo=6, hi=20):
        return " ".join(self.words(rng, rng.randint(lo, hi))).capitalize() + "."

    def title(self, rng):
        return " ".join(self.words(rng, rng.randint(3, 8))).title()

    def description(self, rng):
        return " ".join(self.words(rng, rng.randint(10, 25))).capitalize() + "."

    def body(self, rng):
        """150-400 words in <p> paragraphs of sentences of 6-20 words."""
        left, paragraphs = rng.randint(150, 400), []
        while left > 0:
            size, sentences = min(left, rng.randint(40, 100)), []
            while size > 0:
                n = min(size, rng.randint(6, 20))
                sentences.append(" ".join(self.words(rng, n)).capitalize() + ".")
                size -= n
                left -= n
            paragraphs.append("<p>" + " ".join(sentences) + "</p>")
        return "\n".join(paragraphs)

    def subjects(self, rng):
        n = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))
        return tuple(sorted(set(rng.choices(self.tags, cum_weights=self._tag_cum, k=n))))

    def creator(self, rng):
        return rng.choices(self.users, cum_weights=self._user_cum)[0]

    def query_words(self, rng):
        """One (70%) or two mid-frequency words."""
        lo, hi = MID_RANKS
        hi = min(hi, len(self.vocab))
        return " ".join(self.vocab[rng.randrange(lo, hi)]
                        for _ in range(1 if rng.random() < 0.7 else 2))


def _vocabulary(rng, size):
    """Function words, then text.WORDS, then derived and made-up words."""
    base = sorted(set(WORDS) - set(FUNCTION_WORDS))
    rng.shuffle(base)
    seen = set(FUNCTION_WORDS) | set(base)
    derived = [w + s for w in base for s in SUFFIXES if w + s not in seen]
    rng.shuffle(derived)
    seen.update(derived)
    made = []
    while len(FUNCTION_WORDS) + len(base) + len(derived) + len(made) < size:
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS)
                       for _ in range(rng.randint(2, 3))) + rng.choice(CODAS)
        if word not in seen:
            seen.add(word)
            made.append(word)
    rest = derived + made
    rng.shuffle(rest)
    return FUNCTION_WORDS + base + rest


# -- building ---------------------------------------------------------------

CACHE_SIZE = []  # [objects] when --cache-size is given


def open_db(path):
    from cupola.db.storage import open_db as open_uri
    return open_uri(f"file://{path}", **({"cache_size": CACHE_SIZE[0]} if CACHE_SIZE else {}))


class Spent:
    """Wall-clock and CPU seconds (this process's) over timed stretches: on a
    shared machine the CPU figure moves less with the other jobs."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    @contextmanager
    def timing(self):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu


class FlushTimer:
    """Wraps ``IndexQueue.flush``: time spent in it and objects flushed;
    and, inside it, the text index's batches (``TextIndex.index_docs``)."""

    def __init__(self):
        from cupola.catalog.queue import IndexQueue
        self.cls, self.original = IndexQueue, IndexQueue.flush
        self.spent, self.objects = Spent(), 0
        self.text = TextTimer()

    def __enter__(self):
        timer, original = self, self.original

        def flush(queue):
            timer.objects += len(queue.pending)
            with timer.spent.timing():
                return original(queue)
        self.cls.flush = flush
        self.text.__enter__()
        return self

    def __exit__(self, *exc):
        self.cls.flush = self.original
        self.text.__exit__()


class TextTimer:
    """Wraps ``TextIndex.index_docs``: the time of the text index's batches."""

    def __init__(self):
        from cupola.catalog.textindex import TextIndex
        self.cls, self.original = TextIndex, TextIndex.index_docs
        self.spent = Spent()

    def __enter__(self):
        timer, original = self, self.original

        def index_docs(index, pairs):
            with timer.spent.timing():
                return original(index, pairs)
        self.cls.index_docs = index_docs
        return self

    def __exit__(self, *exc):
        self.cls.index_docs = self.original


def _admin_request(registry, site):
    from cupola.request import Request
    admin = site.users.get("admin") or next(iter(site.users.values()))
    request = Request.blank("/")
    request.registry, request.site = registry, site
    request.environ["cupola.user"] = admin
    return request, admin.login


def _transition(registry, obj, request, actor, name):
    from cupola.workflow import engine
    engine.do_transition(registry, obj, request, name, actor=actor)


def make_folders(registry, site, corpus, rng, count=100):
    """~*count* published folders: 10 sections, 4 below each, the rest a level
    further down. Returns [(path, folder)] and the sections' paths."""
    from cupola.content.operations import create
    request, actor = _admin_request(registry, site)
    made, sections = [], []

    def add(parent, path):
        data = {"title": corpus.title(rng), "description": corpus.description(rng)}
        folder = create(registry, parent, "Folder", data, creator=corpus.creator(rng))
        _transition(registry, folder, request, actor, "publish")
        made.append((f"{path}/{folder.__name__}", folder))
        return made[-1]

    for _ in range(10):
        sections.append(add(site, ""))
    second = [add(folder, path) for path, folder in sections for _ in range(4)]
    for _ in range(count - len(made)):
        path, folder = rng.choice(second)
        add(folder, path)
    return made, [path for path, _ in sections]


def document_specs(corpus, rng, n, folders, now):
    """What *n* documents will hold: data, place, dates, state (untimed)."""
    weights = [1 / (i + 5) for i in range(len(folders))]
    places = rng.choices(range(len(folders)), weights=weights, k=n)
    span = YEARS * 365 * 86400
    specs = []
    for place in places:
        created = now - timedelta(seconds=rng.uniform(0, span))
        age = (now - created).total_seconds()
        modified = created + timedelta(seconds=age * rng.random() ** 3)
        effective = expires = None
        if rng.random() < 0.15:   # mostly a short embargo; 1 in 10 of them ahead
            effective = (now + timedelta(days=rng.uniform(1, 60))
                         if rng.random() < 0.1
                         else created + timedelta(days=rng.uniform(0, 7)))
        if rng.random() < 0.05:   # half expired already
            expires = now + timedelta(days=rng.uniform(-400, 400))
        draw = rng.random()
        state = "publish" if draw < 0.7 else "submit" if draw < 0.8 else None
        specs.append((folders[place][1], {
            "title": corpus.title(rng), "description": corpus.description(rng),
            "subjects": corpus.subjects(rng), "text": corpus.body(rng)},
            corpus.creator(rng), created, modified, effective, expires, state))
    return specs


def build(path, n, corpus, rng, log, profile=None):
    """A site with folders and *n* documents; returns timings and the folders."""
    from cupola.content.operations import create
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.registry import pop_registry, push_registry

    registry = _registry()
    db = open_db(path)
    bootstrap(db, admin_password="bench-Admin-pw-2024", echo=None, registry=registry)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    now = datetime.now(timezone.utc)
    adding, committing = Spent(), Spent()
    try:
        site = get_site(conn)
        folders, sections = make_folders(registry, site, corpus, rng)
        tm.get().note("bench: folders")
        tm.commit()
        request, actor = _admin_request(registry, site)
        started = time.perf_counter()
        with FlushTimer() as flushes:
            for start in range(0, n, BATCH):
                specs = document_specs(corpus, rng, min(BATCH, n - start), folders, now)
                with adding.timing():
                    for folder, data, creator, created, modified, eff, exp, state in specs:
                        doc = create(registry, folder, "Document", data, creator=creator)
                        doc.created, doc.modified = created, modified
                        if eff is not None:
                            doc.effective = eff
                        if exp is not None:
                            doc.expires = exp
                        if state is not None:
                            _transition(registry, doc, request, actor, state)
                tm.get().note(f"bench: documents {start}-{start + len(specs)}")
                if profile is not None:
                    profile.enable()
                with committing.timing():
                    tm.commit()
                if profile is not None:
                    profile.disable()
                done = start + len(specs)
                if done % 10_000 == 0 or done == n:
                    rate = done / (adding.wall + committing.wall)
                    log(f"    {done:>8,} documents  {time.perf_counter() - started:6.1f} s"
                        f"  {rate:6.0f} docs/s end to end, flush "
                        f"{done / flushes.spent.wall:6.0f} docs/s; load "
                        f"{os.getloadavg()[0]:.1f}")
        catalog_len = len(site.catalog)
    finally:
        pop_registry()
        tm.abort()
        conn.close()
        db.close()
    return {"add": adding, "commit": committing, "flush": flushes.spent,
            "flush_text": flushes.text.spent, "flushed": flushes.objects, "catalog_len": catalog_len,
            "folders": [p for p, _ in folders], "sections": sections}


_REGISTRY = []


def _registry():
    if not _REGISTRY:
        from cupola.wsgi import configure
        _REGISTRY.append(configure({}).registry)
    return _REGISTRY[0]


# -- queries ----------------------------------------------------------------

def query_kinds(corpus, built):
    """{kind: (make parameters from rng, run them)}; every run returns a count."""
    folders, sections = built["folders"], built["sections"]

    def text(rng):
        return corpus.query_words(rng)

    def run_text(catalog, words):
        results = catalog.search(None, text=words, batch_size=BATCH_SIZE)
        return len([b.title for b in results[:BATCH_SIZE]])

    def run_path_type(catalog, path):
        results = catalog.search(None, path=path, type="Document", sort_on="modified",
                                 reverse=True, batch_size=BATCH_SIZE)
        return len([b.title for b in results[:BATCH_SIZE]])

    def run_facets(catalog, query):
        facets = catalog.search(None, **query).facets("type", "state", "subject",
                                                      "modified")
        return sum(n for _, n in facets["type"])

    return {
        "text": (text, run_text),
        "path_type": (lambda rng: rng.choice(folders), run_path_type),
        "facets_text": (lambda rng: {"text": text(rng)}, run_facets),
        "facets_path": (lambda rng: {"path": rng.choice(sections)}, run_facets),
        "facets_site": (lambda rng: {"path": "/"}, run_facets),
    }


LABELS = {
    "text": "text, 1-2 mid-frequency words, relevance, 20 brains",
    "path_type": "path subtree + type=Document, modified desc, 20 brains",
    "facets_text": "facets(type, state, subject, modified) of a text query",
    "facets_path": "facets(...) of a top-level section's subtree",
    "facets_site": "facets(...) of the whole site (path='/')",
}


def measure_queries(path, corpus, built, runs, rng, log, profile=None):
    """{kind: {"times": [s], "hits": [counts]}} over a warm fresh connection."""
    from cupola.db.bootstrap import get_site
    db = open_db(path)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    out = {}
    try:
        catalog = get_site(conn).catalog
        kinds = query_kinds(corpus, built)
        # warm up: as many runs of each kind, with other parameters
        for kind, (params, run) in kinds.items():
            for _ in range(runs):
                run(catalog, params(rng))
                tm.abort()
        for kind, (params, run) in kinds.items():
            times, cpus, hits = [], [], []
            for _ in range(runs):
                p = params(rng)
                if profile is not None:
                    profile.enable()
                t0, c0 = time.perf_counter(), time.process_time()
                hits.append(run(catalog, p))
                times.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
                if profile is not None:
                    profile.disable()
                tm.abort()  # a request ends
            out[kind] = {"times": times, "cpu": cpus, "hits": hits}
        out["_cache"] = {"size": db.getCacheSize(), "objects": len(conn._cache)}
    finally:
        tm.abort()
        conn.close()
        db.close()
    return out


def percentile(values, q):
    """Nearest-rank percentile of *values* (q in 0-100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# -- size -------------------------------------------------------------------

def pack(path):
    db = open_db(path)
    try:
        db.pack()
    finally:
        db.close()
    for leftover in (path + ".old",):
        if os.path.exists(leftover):
            os.remove(leftover)
    return os.path.getsize(path)


def single_adds(path, corpus, rng, folders, count=SINGLE_ADDS):
    """Documents added one per commit, as through the web: per add, the
    bytes the commit appends to Data.fs and its wall and CPU time (the
    catalog's flush and the write); the medians and the maximum."""
    from cupola.content.operations import create
    from cupola.db.bootstrap import get_site
    from cupola.registry import pop_registry, push_registry
    registry = _registry()
    db = open_db(path)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    sizes, walls, cpus = [], [], []
    try:
        site = get_site(conn)
        places = [site.catalog.resolve(p) for p in folders]
        for i in range(count + 5):
            data = {"title": corpus.title(rng), "description": corpus.description(rng),
                    "subjects": corpus.subjects(rng), "text": corpus.body(rng)}
            create(registry, rng.choice(places), "Document", data,
                   creator=corpus.creator(rng))
            tm.get().note("bench: one document")
            before, wall, cpu = os.path.getsize(path), time.perf_counter(), time.process_time()
            tm.commit()
            if i >= 5:
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                sizes.append(os.path.getsize(path) - before)
    finally:
        pop_registry()
        tm.abort()
        conn.close()
        db.close()
    return {"bytes": sizes, "wall": walls, "cpu": cpus}


def without_catalog(path, copy):
    """Copy the database at *path* to *copy*, delete its catalog, pack it."""
    from cupola.db.bootstrap import get_site
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(path, copy)
    db = open_db(copy)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        site = get_site(conn)
        del site.catalog
        tm.get().note("bench: no catalog")
        tm.commit()
    finally:
        conn.close()
        db.close()
    return pack(copy)


def bulk_index(path, log):
    """A new catalog on *path* (which has none), as ``cupola reindex``
    makes it (commits every BULK_BATCH objects); returns timings."""
    from cupola.catalog import Catalog, reindex
    from cupola.db.bootstrap import get_site
    registry = _registry()
    db = open_db(path)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    original, commit = Catalog.index_object, tm.commit
    indexing, committing, total = Spent(), Spent(), Spent()

    def index_object(self, *args, **kw):
        with indexing.timing():
            return original(self, *args, **kw)

    def timed_commit():
        with committing.timing():
            commit()

    Catalog.index_object, tm.commit = index_object, timed_commit
    text = TextTimer().__enter__()
    try:
        with total.timing():
            site = get_site(conn)
            catalog = Catalog(site.settings.get("language"))
            catalog.__parent__ = site
            catalog.sync(registry)
            site.catalog = catalog
            done = reindex(site, registry, commit_every=BULK_BATCH, tm=tm)
            tm.get().note("bench: bulk index")
            tm.commit()
    finally:
        Catalog.index_object = original
        text.__exit__()
        del tm.commit
        tm.abort()
        conn.close()
        db.close()
    return {"objects": done, "total": total, "index_object": indexing,
            "text": text.spent,
            "commit": committing}


# -- main -------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=100_000,
                   help="documents to add (default 100,000)")
    p.add_argument("--quick", action="store_true", help="10,000 documents")
    p.add_argument("--queries", type=int, default=200,
                   help="timed runs of each query kind, after as many to warm "
                   "up (default 200)")
    p.add_argument("--workdir", help="keep the databases here (default: a "
                   "temporary folder, removed afterwards)")
    p.add_argument("--no-bulk", dest="bulk", action="store_false",
                   help="skip the bulk (re)index of the copy without catalog")
    p.add_argument("--profile", action="store_true",
                   help="profile the commits and the queries (slower figures); "
                   "writes bench/results/profile-catalog-{index,queries}.txt")
    p.add_argument("--cache-size", type=int,
                   help="objects per connection cache (default: zodburi's 10,000)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    n = 10_000 if args.quick else args.docs
    if args.cache_size:
        CACHE_SIZE.append(args.cache_size)
    workdir = args.workdir or tempfile.mkdtemp(prefix="cupola-catalog-")
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "site", "Data.fs")
    if os.path.exists(path):
        sys.exit(f"bench: {path} exists; give an empty --workdir")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.environ.pop("CUPOLA_ZODB_URI", None)
    started_at = datetime.now(timezone.utc)
    load_before = os.getloadavg()
    print(f"Catalog benchmark, {n:,} documents, {started_at:%Y-%m-%d %H:%M} UTC; "
          f"load average {_load(load_before)} on {os.cpu_count()} CPUs")
    corpus, rng = Corpus(args.seed), random.Random(args.seed)
    profiles = {"index": cProfile.Profile(), "queries": cProfile.Profile()} \
        if args.profile else {}
    started = time.perf_counter()
    try:
        print("  building the site")
        built = build(path, n, corpus, rng, print, profiles.get("index"))
        unpacked = os.path.getsize(path)
        print(f"  timing queries ({args.queries} runs of each, after as many)")
        queries = measure_queries(path, corpus, built, args.queries, rng, print,
                                  profiles.get("queries"))
        print(f"  adding {SINGLE_ADDS} documents one per commit")
        singles = single_adds(path, corpus, rng, built["folders"])
        print("  packing")
        with_size = pack(path)
        copy = os.path.join(workdir, "nocatalog", "Data.fs")
        without_size = without_catalog(path, copy)
        bulk = None
        if args.bulk:
            print("  indexing the copy without catalog in bulk")
            bulk = bulk_index(copy, print)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg()
    results = report(n, built, queries, unpacked, with_size, without_size, bulk,
                     load_before, load_after, started_at, args)
    results += report_singles(singles)
    for part, profile in profiles.items():
        target = BENCH / "results" / f"profile-catalog-{part}.txt"
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("tottime").print_stats(25)
        target.write_text(stream.getvalue())
        print(f"  wrote {target}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {len(results)} figures to {out} in "
          f"{time.perf_counter() - started:.0f} s; load average now {_load(load_after)}")


def _load(avg):
    return " / ".join(f"{x:.2f}" for x in avg)


def report(n, built, queries, unpacked, with_size, without_size, bulk,
           load_before, load_after, started_at, args):
    """Print the table; return the result records."""
    records = []
    when = started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    context = (f"{n:,} documents in {len(built['folders'])} folders; "
               f"load average {_load(load_before)} before, {_load(load_after)} after; "
               f"{when}" + ("; under cProfile" if args.profile else ""))

    def add(name, value, unit, detail, target=None, met=None):
        rec = {"name": name, "value": value, "unit": unit, "detail": detail}
        if target is not None:
            rec.update(target=target, met=met)
        records.append(rec)

    add_, commit, flush = built["add"], built["commit"], built["flush"]
    wall = add_.wall + commit.wall
    cpu = add_.cpu + commit.cpu
    write = (commit.wall - flush.wall, commit.cpu - flush.cpu)
    print(f"\nIndexing ({n:,} documents, commit every {BATCH:,}; {context})")
    print(f"  {'':<52} {'docs/s':>8} {'per CPU-s':>10}")
    rows = [  # (name, label, wall s, cpu s, objects, target, detail)
        ("index_end_to_end", "end to end: create, events, transition, commit",
         wall, cpu, n, None, "create() + events + workflow transition + commit "
         "(flush and write)"),
        ("index_create_only", "  create, events, transitions (no indexing)",
         add_.wall, add_.cpu, n, None, "operations.create + transitions, before commit"),
        ("index_flush", "  commit: queue flush (the catalog's indexing)",
         flush.wall, flush.cpu, n, TARGETS["index_rate"],
         f"IndexQueue.flush at commit ({built['flushed']:,} queued objects)"),
        ("index_flush_text", "    of which the text index's batches",
         built["flush_text"].wall, built["flush_text"].cpu, n, None,
         "TextIndex.index_docs inside the flush, once per commit"),
        ("index_commit_write", "  commit: pickling and writing",
         write[0], write[1], n, None, "commit minus the flush"),
    ]
    if bulk:
        rows += [
            ("index_bulk", f"bulk reindex from disk, commit every {BULK_BATCH:,}",
             bulk["total"].wall, bulk["total"].cpu, bulk["objects"],
             TARGETS["index_rate"], f"new Catalog, sync, reindex(commit_every="
             f"{BULK_BATCH}) of {bulk['objects']:,} objects loaded from disk"),
            ("index_bulk_index_object", "  of which Catalog.index_object",
             bulk["index_object"].wall, bulk["index_object"].cpu, bulk["objects"],
             None, "the bulk reindex's calls of index_object alone (without "
             "the text, indexed in batches)"),
            ("index_bulk_text", "  of which the text index's batches",
             bulk["text"].wall, bulk["text"].cpu, bulk["objects"], None,
             f"TextIndex.index_docs, once per {BULK_BATCH:,} objects, and "
             "its merges"),
            ("index_bulk_commit", "  of which the commits",
             bulk["commit"].wall, bulk["commit"].cpu, bulk["objects"], None,
             "the bulk reindex's commits alone"),
        ]
    for name, label, w, c, count, target, detail in rows:
        rate, cpu_rate = count / w, count / c
        met = None if target is None else rate >= target
        mark = "" if target is None else "  target ≥ %d: %s" % (
            target, "met" if met else "NOT MET")
        print(f"  {label:<52} {rate:8.0f} {cpu_rate:10.0f}{mark}")
        add(name, round(rate, 1), "docs/s", f"{detail}: {w:.1f} s wall, {c:.1f} s "
            f"CPU ({cpu_rate:.0f} docs per CPU-second); {context}",
            None if target is None else f">= {target} docs/s", met)
        records[-1]["per_cpu_second"] = round(cpu_rate, 1)

    cache = queries.pop("_cache")
    print(f"\nQueries as Anonymous, ms ({args.queries} runs each after as many to "
          f"warm up; object cache {cache['size']:,}, {cache['objects']:,} loaded at the end)")
    print(f"  {'':<56} {'wall':>23} {'CPU':>15}")
    print(f"  {'kind':<56} {'p50':>7} {'p99':>7} {'max':>7} {'p50':>7} {'p99':>7}"
          f"  hits (median)")
    for kind, data in queries.items():
        times = [t * 1000 for t in data["times"]]
        cpus = [t * 1000 for t in data["cpu"]]
        p50, p99 = percentile(times, 50), percentile(times, 99)
        cpu50, cpu99 = percentile(cpus, 50), percentile(cpus, 99)
        met = p50 < TARGETS["p50_ms"] and p99 < TARGETS["p99_ms"]
        hits = statistics.median(data["hits"])
        print(f"  {LABELS[kind]:<56} {p50:7.2f} {p99:7.2f} {max(times):7.2f} "
              f"{cpu50:7.2f} {cpu99:7.2f} {hits:>6.0f}  {'' if met else 'NOT MET'}")
        add(f"query_{kind}", round(p50, 3), "ms",
            f"{LABELS[kind]}; p50 {p50:.2f} ms, p99 {p99:.2f} ms, mean "
            f"{statistics.mean(times):.2f} ms over {len(times)} runs (CPU p50 "
            f"{cpu50:.2f}, p99 {cpu99:.2f} ms); median "
            f"{'brains' if kind in ('text', 'path_type') else 'documents counted'} "
            f"{hits:.0f}", "p50 < 10 ms, p99 < 50 ms", met)
        records[-1].update(p50_ms=round(p50, 3), p99_ms=round(p99, 3),
                           max_ms=round(max(times), 3), cpu_p50_ms=round(cpu50, 3),
                           cpu_p99_ms=round(cpu99, 3))

    catalog_bytes = (with_size - without_size) / n
    print(f"\nSize (packed Data.fs; {built['catalog_len']:,} cataloged objects)")
    print(f"  {'with the catalog':<40} {with_size / 2**20:9.1f} MB  "
          f"{with_size / n:7.0f} bytes/doc")
    print(f"  {'without it':<40} {without_size / 2**20:9.1f} MB  "
          f"{without_size / n:7.0f} bytes/doc")
    print(f"  {'the catalog':<40} {(with_size - without_size) / 2**20:9.1f} MB  "
          f"{catalog_bytes:7.0f} bytes/doc  target < {TARGETS['catalog_bytes']}: "
          f"{'met' if catalog_bytes < TARGETS['catalog_bytes'] else 'NOT MET'}")
    print(f"  {'before packing (with it)':<40} {unpacked / 2**20:9.1f} MB")
    add("size_total_per_doc", round(with_size / n), "bytes/doc",
        f"packed Data.fs {with_size:,} bytes / {n:,} documents")
    add("size_without_catalog_per_doc", round(without_size / n), "bytes/doc",
        f"the same with site.catalog deleted and packed: {without_size:,} bytes")
    add("size_catalog_per_doc", round(catalog_bytes), "bytes/doc",
        "difference of the two packed Data.fs, per document", "< 2048 bytes/doc",
        catalog_bytes < TARGETS["catalog_bytes"])
    add("size_unpacked", round(unpacked / 2**20, 1), "MB",
        f"Data.fs after the build, before packing ({n // BATCH} commits)")
    return records


def report_singles(singles):
    """Print and return the figures of ``single_adds``."""
    kb = [b / 1024 for b in singles["bytes"]]
    ms = [t * 1000 for t in singles["wall"]]
    cpu = [t * 1000 for t in singles["cpu"]]
    print(f"\nOne document added per commit ({len(kb)} commits, as through the web)")
    print(f"  written to Data.fs   median {statistics.median(kb):7.1f} KB, max {max(kb):7.1f} KB")
    print(f"  commit (flush+write) median {statistics.median(ms):7.1f} ms, max "
          f"{max(ms):7.1f} ms (CPU median {statistics.median(cpu):.1f} ms)")
    detail = (f"{len(kb)} documents each added and committed alone on the built "
              f"site; max {max(kb):.1f} KB, {max(ms):.1f} ms (segment combines "
              "and merges land on some)")
    return [{"name": "single_add_bytes", "value": round(statistics.median(kb), 1),
             "unit": "KB", "detail": "median bytes one add appends; " + detail},
            {"name": "single_add_commit", "value": round(statistics.median(ms), 2),
             "unit": "ms", "detail": "median commit time of one add; " + detail,
             "cpu_ms": round(statistics.median(cpu), 2)}]


if __name__ == "__main__":
    main()
