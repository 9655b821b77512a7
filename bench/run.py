"""Cupola's benchmarks: HTTP figures as ratios to a raw WSGI app, big folders.

    .venv/bin/python bench/run.py            # HTTP + a folder of 100,000
    .venv/bin/python bench/run.py --big      # ... and of 1,000,000 items

1. Seeds a FileStorage under a temporary folder: a site with ``/bench``
   holding 20 documents (``seed.py``).
2. Serves ``hello.py``, then ``cupola.wsgi:application``, then ``hello.py``
   again, one at a time, each under waitress with 4 threads on a free
   loopback port, and loads them with the same client (wrk, else a Python
   keep-alive client) for the same time: hello's page (the baseline is the
   mean of before and after), the Document view ``/bench/doc-0010``, the
   folder listing ``/bench`` and a conditional GET of the Document answered
   304 (``load.py``, ``servers.py``).
3. Times add, lookup and a 50-item slice in-process in folders of 100,000
   (and with ``--big`` 1,000,000) documents (``folders.py``).
4. Prints every figure and writes them to ``bench/results/latest.json``.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

try:
    import cupola  # noqa: F401
except ImportError as e:
    sys.exit(f"bench: cannot import cupola ({e}); run it with the project's "
             "venv: .venv/bin/python bench/run.py")

import folders  # noqa: E402
import hello as hello_module  # noqa: E402
import load  # noqa: E402
import servers  # noqa: E402
from seed import seed  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
DOCUMENT, FOLDER = "/bench/doc-0010", "/bench"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--big", action="store_true",
                   help="also build and time a folder of 1,000,000 items")
    p.add_argument("--duration", type=int, default=10,
                   help="seconds of load per URL (default 10)")
    p.add_argument("--warmup", type=int, default=2,
                   help="seconds of unrecorded load before each (default 2)")
    p.add_argument("--no-http", dest="http", action="store_false")
    p.add_argument("--no-folders", dest="folders", action="store_false")
    p.add_argument("--workdir", help="keep databases and logs here "
                   "(default: a temporary folder, removed afterwards)")
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)

    workdir = args.workdir or tempfile.mkdtemp(prefix="cupola-bench-")
    os.makedirs(workdir, exist_ok=True)
    started = time.perf_counter()
    results = []
    try:
        if args.http:
            results += http_figures(workdir, args)
        if args.folders:
            print("In-process folders (no HTTP):")
            sizes = [100_000] + ([1_000_000] if args.big else [])
            results += folders.run(workdir, sizes)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {len(results)} figures to {out} "
          f"in {time.perf_counter() - started:.0f} s")


def http_figures(workdir, args):
    print(f"HTTP: waitress, {servers.THREADS} threads; client {load.client_name()}, "
          f"{load.CONNECTIONS} connections, {args.duration} s per URL "
          f"after {args.warmup} s of warm-up")
    busy = os.getloadavg()[0]
    if busy > 1.0:
        print(f"  warning: load average {busy:.1f} before starting; other "
              "processes will skew these figures")
    uri = seed(os.path.join(workdir, "site", "Data.fs"))

    def run(url, headers=None):
        return load.load(url, args.duration, headers, args.warmup)

    # hello before and after Cupola: the baseline is their mean, and a big
    # difference between them says the machine was busy during the run
    hello_before = load_hello(workdir, run)
    show("hello (raw WSGI), before", hello_before, None)
    figures = load_cupola(workdir, uri, run)
    hello_after = load_hello(workdir, run)
    show("hello (raw WSGI), after", hello_after, None)
    baseline = dict(hello_before, rps=(hello_before["rps"] + hello_after["rps"]) / 2)
    drift = abs(hello_before["rps"] - hello_after["rps"]) / baseline["rps"]
    if drift > 0.15:
        print(f"  warning: hello moved by {drift:.0%} between before and after; "
              "the machine was busy, the ratios are rough")
    size = len(hello_module.BODY)
    results = [record("http_hello", baseline, f"raw WSGI app, constant {size:,}-byte "
                      f"page; mean of {hello_before['rps']:.0f} (before) and "
                      f"{hello_after['rps']:.0f} (after) req/s", None)]
    for name, label, detail, fig in figures:
        show(label, fig, baseline)
        results.append(record(name, fig, f"{label}: {detail}", baseline))
    return results


def load_hello(workdir, run):
    log = os.path.join(workdir, "hello.log")
    with servers.serving("hello:app", log_path=log) as base:
        status, _, body = load.get(base + "/")
        check(status == 200 and body == hello_module.BODY, f"hello answered {status}")
        return run(base + "/")


def load_cupola(workdir, uri, run):
    """[(name, label, detail, figures)] for the three Cupola URLs."""
    log = os.path.join(workdir, "cupola.log")
    env = {"CUPOLA_ZODB_URI": uri, "CUPOLA_CONFIG": ""}
    with servers.serving("cupola.wsgi:application", env=env, cwd=workdir,
                         log_path=log) as base:
        status, headers, body = load.get(base + DOCUMENT)
        check(status == 200, f"{DOCUMENT} answered {status}; see {log}")
        etag = headers.get("ETag")
        check(etag, f"{DOCUMENT} has no ETag")
        status, _, folder_body = load.get(base + FOLDER)
        check(status == 200, f"{FOLDER} answered {status}; see {log}")
        inm = {"If-None-Match": etag}
        check(load.get(base + DOCUMENT, inm)[0] == 304,
              f"If-None-Match: {etag} was not answered 304")
        figures = [
            ("http_document_view", f"Document view {DOCUMENT}",
             f"{len(body):,}-byte page", run(base + DOCUMENT)),
            ("http_folder_listing", f"folder listing {FOLDER}",
             f"{len(folder_body):,}-byte page, 20 items", run(base + FOLDER)),
            ("http_document_304", "conditional GET, 304",
             f"{DOCUMENT} with If-None-Match", run(base + DOCUMENT, inm)),
        ]
        check(load.get(base + DOCUMENT, inm)[0] == 304,
              "the ETag changed during the load")
    return figures


def record(name, fig, detail, baseline):
    rec = {"name": name, "value": round(fig["rps"], 1), "unit": "req/s"}
    if baseline is None:
        baseline = fig
    rec["baseline"] = round(baseline["rps"], 1)
    rec["ratio"] = round(fig["rps"] / baseline["rps"], 3)
    rec.update(p50_ms=_round(fig["p50_ms"]), p99_ms=_round(fig["p99_ms"]),
               errors=fig["errors"], client=fig["client"],
               server=f"waitress, {servers.THREADS} threads", detail=detail)
    return rec


def show(label, fig, baseline):
    ratio = f"  {fig['rps'] / baseline['rps']:.2f} × hello" if baseline else ""
    errors = f"  ERRORS: {fig['errors']}" if fig["errors"] else ""
    print(f"  {label:<34} {fig['rps']:9.1f} req/s  p50 {fig['p50_ms'] or 0:6.2f} ms"
          f"  p99 {fig['p99_ms'] or 0:6.2f} ms{ratio}{errors}")


def check(ok, message):
    if not ok:
        raise SystemExit(f"bench: {message}")


def _round(x):
    return None if x is None else round(x, 2)


if __name__ == "__main__":
    main()
