"""Catalog query latency at 100,000 documents, on a catalog built directly.

    .venv/bin/python bench/catalog_queries.py               # 100,000 documents
    .venv/bin/python bench/catalog_queries.py --docs 20000 --queries 300

``bench/catalog.py`` measures the whole story (content made through the
real event path, then queries); this driver measures only the query path,
on a catalog of the same shape that takes minutes instead of most of an
hour to build:

1. Bootstraps a site in a FileStorage with the registry of
   ``cupola.wsgi.configure({})`` (so every core and add-on index exists),
   and makes three real Documents there (published, pending, private) to
   read the security tokens the catalog stores for each state.
2. Fills the site's catalog directly, without content objects: ~100
   folder paths three levels deep and ``--docs`` documents spread over
   them, from ``bench/catalog.py``'s corpus (titles, summaries, bodies of
   150-400 words, 0-4 tags of 200, 50 creators, dates over 3 years, 70%
   published, 10% pending, 20% private, 15% with an effective date, 5%
   with an expiry date). Each index gets what its own getter returns for a
   stand-in object with those attributes (the security indexes get the
   tokens of step 1 with the creator's ``user:`` token); metadata the same.
   Sequential docids. A commit every 5,000 documents.
3. Reopens the database (a fresh connection, zodburi's default cache), warms
   up with as many runs as are timed, then times ``--queries`` runs of each
   kind as Anonymous (security filtering on), a transaction abort after
   each (as a request ends): those of ``bench/catalog.py`` (``text``,
   ``path_type``, ``facets_text``, ``facets_path``, ``facets_site``) and
   ``search_page`` (what ``@@search`` does: a text query, its facets, a
   page of 20 brains), ``contents`` (a folder's children, newest first, a
   page of 20) and ``editor_path_type`` (``path_type`` as a signed-in
   editor with local roles).

Prints p50/p99 wall and CPU ms per kind against the targets (p50 < 10 ms,
p99 < 50 ms), and the median ratio of each run to one call of the raw WSGI
baseline (``hello.py``, called in process just before it, so both see the
same load), and writes ``bench/results/catalog_queries.json``.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import transaction

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalog as whole  # noqa: E402  (bench/catalog.py: corpus, folders, queries)
import hello  # noqa: E402  (the raw WSGI baseline)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "catalog_queries.json"
COMMIT_EVERY = 5_000
SECURITY = ("allowed", "allowed_inactive")


def token_templates(registry, site):
    """{state: (allowed, allowed_inactive)} of real Documents, with the
    creator's token as ``user:{creator}``."""
    from cupola.catalog.security import inactive_tokens, object_tokens
    from cupola.content.operations import create, delete
    request, actor = whole._admin_request(registry, site)
    out = {}
    for state, transition in (("published", "publish"), ("pending", "submit"),
                              ("private", None)):
        doc = create(registry, site, "Document", {"title": state}, creator="someone")
        if transition:
            whole._transition(registry, doc, request, actor, transition)
        out[state] = tuple(
            tuple("user:{creator}" if t == "user:someone" else t for t in tokens)
            for tokens in (object_tokens(registry, doc), inactive_tokens(registry, doc)))
        delete(doc)
    return out


def folder_paths(rng, count=100):
    """~*count* folder paths: 10 sections, 4 below each, the rest deeper."""
    sections = [f"/section-{i}" for i in range(10)]
    second = [f"{s}/part-{j}" for s in sections for j in range(4)]
    third = [f"{rng.choice(second)}/sub-{k}" for k in range(count - 50)]
    return sections + second + third, sections


def stand_in(corpus, rng, now):
    """A document's attributes, as bench/catalog.py's document_specs draws them."""
    span = whole.YEARS * 365 * 86400
    created = now - timedelta(seconds=rng.uniform(0, span))
    age = (now - created).total_seconds()
    modified = created + timedelta(seconds=age * rng.random() ** 3)
    effective = expires = None
    if rng.random() < 0.15:
        effective = (now + timedelta(days=rng.uniform(1, 60)) if rng.random() < 0.1
                     else created + timedelta(days=rng.uniform(0, 7)))
    if rng.random() < 0.05:
        expires = now + timedelta(days=rng.uniform(-400, 400))
    draw = rng.random()
    state = "published" if draw < 0.7 else "pending" if draw < 0.8 else "private"
    text = corpus.body(rng)
    return SimpleNamespace(
        title=corpus.title(rng), description=corpus.description(rng), text=text,
        subjects=corpus.subjects(rng), creator=corpus.creator(rng),
        type_name="Document", workflow_state=state, created=created,
        modified=modified, effective=effective, expires=expires,
        uuid=f"{rng.getrandbits(128):032x}", size=len(text), content_type="text/html",
        blob=None)


def fill(catalog, registry, templates, n, corpus, rng, tm, log):
    """Index *n* stand-ins (and the folders) into *catalog*; returns the
    folder paths and the sections."""
    folders, sections = folder_paths(rng)
    now = datetime.now(timezone.utc)
    definitions, columns = registry.catalog_indexes, registry.catalog_columns
    weights = [1 / (i + 5) for i in range(len(folders))]
    started = time.perf_counter()
    texts = {}  # {index name: [(docid, text)]} indexed in batches

    def put(path, obj):
        docid = catalog._next_docid
        catalog._next_docid = docid + 1
        catalog._paths.index_doc(docid, path)
        if hasattr(catalog, "_set_docid"):  # docids keyed by a hash of the path
            catalog._set_docid(path, docid)
        else:
            catalog._docids[path] = docid
        allowed, inactive = templates[obj.workflow_state]
        for name, index in catalog._indexes.items():
            if name in SECURITY:
                tokens = allowed if name == "allowed" else inactive
                value = [t.format(creator=obj.creator) for t in tokens]
            else:
                value = definitions[name].getter(obj, registry)
            if hasattr(index, "index_docs"):  # the text index takes batches
                texts.setdefault(name, []).append((docid, value))
            else:
                index.index_doc(docid, value)
        catalog._meta[docid] = tuple(columns[c].getter(obj, registry)
                                     for c in catalog.columns)

    for path in folders:
        folder = stand_in(corpus, rng, now)
        folder.type_name, folder.workflow_state, folder.text = "Folder", "published", ""
        put(path, folder)
    places = rng.choices(range(len(folders)), weights=weights, k=n)
    for i, place in enumerate(places, 1):
        put(f"{folders[place]}/doc-{i}", stand_in(corpus, rng, now))
        if i % COMMIT_EVERY == 0 or i == n:
            for name, pairs in texts.items():
                catalog.index(name).index_docs(pairs)
            texts.clear()
            tm.commit()
            if i % 20_000 == 0 or i == n:
                log(f"    {i:>8,} documents  {time.perf_counter() - started:6.1f} s; "
                    f"load {os.getloadavg()[0]:.1f}")
    return folders, sections


def build(path, n, corpus, rng, log):
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.registry import pop_registry, push_registry
    registry = whole._registry()
    db = whole.open_db(path)
    bootstrap(db, admin_password="bench-Admin-pw-2024", echo=None, registry=registry)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    try:
        site = get_site(conn)
        templates = token_templates(registry, site)
        tm.commit()
        folders, sections = fill(site.catalog, registry, templates, n, corpus, rng,
                                 tm, log)
        size = len(site.catalog)
    finally:
        pop_registry()
        tm.abort()
        conn.close()
        db.close()
    return {"folders": folders, "sections": sections, "catalog_len": size}


class Editor:
    """A signed-in editor with a local role: the parts the catalog reads."""

    def __init__(self, login, groups=()):
        from cupola.security.roles import ANONYMOUS, AUTHENTICATED, MEMBER
        self.environ = {"cupola.user": None, "cupola.principals": (login, *groups),
                        "cupola.global_roles": frozenset({ANONYMOUS, AUTHENTICATED,
                                                          MEMBER})}


def query_kinds(corpus, built):
    kinds = whole.query_kinds(corpus, built)
    folders = built["folders"]
    size = whole.BATCH_SIZE

    def run_search_page(catalog, words):
        results = catalog.search(None, text=words)
        titles = [b.title for b in results[:size]]
        facets = results.facets("type", "state", "subject", "modified")
        assert len(titles) == min(size, len(results)) and len(facets) == 4
        return len(results)

    def run_contents(catalog, path):
        results = catalog.search(None, path=path, depth=1, sort_on="modified",
                                 reverse=True, batch_size=size)
        return len([b.title for b in results[:size]])

    def run_editor(catalog, params):
        path, login = params
        results = catalog.search(Editor(login), path=path, type="Document",
                                 sort_on="modified", reverse=True, batch_size=size)
        return len([b.title for b in results[:size]])

    kinds["search_page"] = (corpus.query_words, run_search_page)
    kinds["contents"] = (lambda rng: rng.choice(folders), run_contents)
    kinds["editor_path_type"] = (
        lambda rng: (rng.choice(folders), corpus.creator(rng)), run_editor)
    return kinds


HELLO_CALLS = 50


def hello_call():
    """Seconds per call of the raw WSGI baseline app, over HELLO_CALLS."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http"}
    started = time.perf_counter()
    for _ in range(HELLO_CALLS):
        b"".join(hello.app(environ, lambda status, headers: None))
    return (time.perf_counter() - started) / HELLO_CALLS


def measure(path, corpus, built, runs, rng, profile=None, only=None):
    from cupola.db.bootstrap import get_site
    db = whole.open_db(path)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    out = {}
    try:
        catalog = get_site(conn).catalog
        kinds = query_kinds(corpus, built)
        if only:
            unknown = set(only) - set(kinds)
            if unknown:
                sys.exit(f"bench: no query kind {', '.join(sorted(unknown))}; "
                         f"use {', '.join(kinds)}")
            kinds = {k: v for k, v in kinds.items() if k in only}
        for kind, (params, run) in kinds.items():
            for _ in range(runs):
                run(catalog, params(rng))
                tm.abort()
        for kind, (params, run) in kinds.items():
            times, cpus, hits, hellos = [], [], [], []
            for _ in range(runs):
                hellos.append(hello_call())  # the same moment's baseline
                p = params(rng)
                if profile is not None:
                    profile.enable()
                t0, c0 = time.perf_counter(), time.process_time()
                hits.append(run(catalog, p))
                times.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
                if profile is not None:
                    profile.disable()
                tm.abort()
            out[kind] = {"times": times, "cpu": cpus, "hits": hits, "hello": hellos}
    finally:
        tm.abort()
        conn.close()
        db.close()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=200,
                   help="timed runs of each kind, after as many to warm up")
    p.add_argument("--workdir", help="keep the database here; a later run with "
                   "the same --workdir (and --docs, --seed) only times the queries")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--kinds", help="only these query kinds (comma-separated)")
    p.add_argument("--cache-size", type=int,
                   help="objects per connection cache (default: zodburi's 10,000)")
    p.add_argument("--profile", metavar="FILE",
                   help="write the 30 hottest functions of the timed runs here "
                   "(the figures of such a run are slower)")
    args = p.parse_args(argv)
    profile = cProfile.Profile() if args.profile else None
    if args.cache_size:
        whole.CACHE_SIZE.append(args.cache_size)
    workdir = args.workdir or tempfile.mkdtemp(prefix="cupola-catalog-queries-")
    path = os.path.join(workdir, "Data.fs")
    saved = os.path.join(workdir, f"built-{args.docs}-{args.seed}.json")
    if os.path.exists(path) and not os.path.exists(saved):
        sys.exit(f"bench: {path} exists but not {saved}; give an empty --workdir")
    os.environ.pop("CUPOLA_ZODB_URI", None)
    started_at = datetime.now(timezone.utc)
    print(f"Catalog queries, {args.docs:,} documents, {started_at:%Y-%m-%d %H:%M} UTC; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    corpus, rng = whole.Corpus(args.seed), random.Random(args.seed)
    try:
        if os.path.exists(saved):
            print(f"  reusing the catalog in {workdir}")
            built = json.loads(Path(saved).read_text())
        else:
            print("  building the catalog")
            t0 = time.perf_counter()
            built = build(path, args.docs, corpus, rng, print)
            Path(saved).write_text(json.dumps(built))
            print(f"  built in {time.perf_counter() - t0:.0f} s")
        print(f"  timing {args.queries} runs of each kind, after as many")
        found = measure(path, corpus, built, args.queries, rng, profile,
                        args.kinds.split(",") if args.kinds else None)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    target = whole.TARGETS
    records = []
    print(f"\n{'query':<18} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} {'hits p50':>9} "
          f"{'x hello':>8}  met?")
    for kind, data in found.items():
        p50 = whole.percentile(data["times"], 50) * 1000
        p99 = whole.percentile(data["times"], 99) * 1000
        cpu = statistics.median(data["cpu"]) * 1000
        met = p50 < target["p50_ms"] and p99 < target["p99_ms"]
        hits = statistics.median(data["hits"])
        # each run over a raw WSGI call timed just before it
        ratio = statistics.median(t / h for t, h in zip(data["times"], data["hello"]))
        print(f"{kind:<18} {p50:8.2f} {p99:8.2f} {cpu:8.2f} {hits:9,.0f} {ratio:8.0f}  "
              f"{'yes' if met else 'NO'}")
        records.append({"kind": kind, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                        "cpu_p50_ms": round(cpu, 2), "hits_p50": hits,
                        "hello_ratio": round(ratio, 1), "met": met})
    result = {"docs": args.docs, "catalog_len": built["catalog_len"],
              "cache_size": args.cache_size,
              "queries": args.queries, "at": started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "load_after": os.getloadavg()[0], "results": records}
    if profile is not None:
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("tottime").print_stats(30)
        Path(args.profile).write_text(stream.getvalue())
        print(f"wrote {args.profile}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
