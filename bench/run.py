"""Cupola's benchmarks: HTTP figures as ratios to a raw WSGI app, big folders.

    .venv/bin/python bench/run.py            # HTTP + a folder of 100,000
    .venv/bin/python bench/run.py --big      # ... and of 1,000,000 items

1. Seeds a FileStorage under a temporary folder: a site with ``/bench``
   holding 20 documents (``seed.py``).
2. Starts ``hello.py`` and ``cupola.wsgi:application`` as separate
   processes, each under waitress with 4 threads on a free loopback port,
   and loads one at a time with the same client (wrk, else a Python
   keep-alive client) for the same time, taking turns for 7 rounds:
   hello's page, then the Document view ``/bench/doc-0010``, the folder
   listing ``/bench`` and a conditional GET of the Document answered 304
   (``load.py``, ``servers.py``). Each req/s figure is the median over the
   rounds; each ratio is the median of every Cupola run against the mean
   of the hello runs just before and after it, so that the drifting speed
   of a shared machine cancels out. All of it twice: as deployed, and with
   the servers pinned to CPU 0 and the client to the other CPUs (steadier
   figures: unpinned, waitress's threads pass the GIL across cores and a
   cheap app's req/s swings several-fold from one run to the next).
3. Times add, lookup and a 50-item slice in-process in folders of 100,000
   (and with ``--big`` 1,000,000) documents (``folders.py``).
4. Prints every figure and writes them to ``bench/results/latest.json``.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
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
    p.add_argument("--duration", type=int, default=3,
                   help="seconds of load per URL and round (default 3)")
    p.add_argument("--warmup", type=int, default=1,
                   help="seconds of unrecorded load before each (default 1)")
    p.add_argument("--rounds", type=int, default=7,
                   help="hello and Cupola take turns this many times; the "
                   "figures are medians (default 7)")
    p.add_argument("--pin", choices=("no", "yes", "both"), default="both",
                   help="run the servers on CPU 0 and the client on the "
                   "others: 'no' (as deployed), 'yes' (steadier), or 'both' "
                   "(default; pinned figures get the suffix _pinned)")
    p.add_argument("--no-http", dest="http", action="store_false")
    p.add_argument("--no-folders", dest="folders", action="store_false")
    p.add_argument("--workdir", help="keep databases and logs here "
                   "(default: a temporary folder, removed afterwards)")
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    # a SIGTERM (timeout, CI) unwinds like Ctrl-C, so the servers are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    workdir = args.workdir or tempfile.mkdtemp(prefix="cupola-bench-")
    os.makedirs(workdir, exist_ok=True)
    started = time.perf_counter()
    results = []
    try:
        if args.http:
            uri = seed(os.path.join(workdir, "site", "Data.fs"))
            pins = {"no": [False], "yes": [True], "both": [False, True]}[args.pin]
            if True in pins and servers.client_cpus() is None:
                print("bench: fewer than 2 CPUs, or CPU 0 is not ours: no pinning")
                pins = [False]
            for pin in pins:
                results += http_figures(workdir, uri, args, pin)
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


def http_figures(workdir, uri, args, pin):
    """Records of hello and the Cupola pages; see the module docstring."""
    cpus = servers.client_cpus() if pin else None
    where = (f"server on CPU {','.join(map(str, sorted(servers.SERVER_CPUS)))}, "
             f"client on CPU {','.join(map(str, sorted(cpus)))}"
             if pin else "not pinned")
    print(f"HTTP ({where}): waitress, {servers.THREADS} threads; client "
          f"{load.client_name()}, {load.CONNECTIONS} connections; {args.rounds} "
          f"rounds of {args.duration} s per URL after {args.warmup} s of warm-up")
    busy = os.getloadavg()[0]
    if busy > 1.0:
        print(f"  warning: load average {busy:.1f} before starting; other "
              "processes will skew these figures")

    def run(url, headers=None):
        return load.load(url, args.duration, headers, args.warmup, cpus=cpus)

    suffix = "_pinned" if pin else ""
    with servers.serving("hello:app", log_path=os.path.join(workdir, "hello.log"),
                         pin=pin) as hello_base, \
            cupola_server(workdir, uri, pin) as (cupola_base, pages):
        status, _, body = load.get(hello_base + "/")
        check(status == 200 and body == hello_module.BODY, f"hello answered {status}")
        # Only one server is loaded at a time. They take turns, round after
        # round, so that each Cupola run has hello runs just before and after
        # it: the speed of this machine drifts, and the ratio should not.
        hellos, runs = [], {name: [] for name, *_ in pages}
        for i in range(args.rounds):
            hellos.append(run(hello_base + "/"))
            for name, _, _, path, headers in pages:
                runs[name].append(run(cupola_base + path, headers))
            print(f"  round {i + 1}: hello {hellos[-1]['rps']:.0f} req/s; " + ", ".join(
                f"{name} {runs[name][-1]['rps']:.0f}" for name, *_ in pages))
        hellos.append(run(hello_base + "/"))
        etag_header = pages[-1][4]
        check(load.get(cupola_base + DOCUMENT, etag_header)[0] == 304,
              "the ETag changed during the load")

    spread = max(h["rps"] for h in hellos) / min(h["rps"] for h in hellos) - 1
    if spread > 0.25:
        print(f"  note: hello varied by {spread:.0%} between rounds (a busy or "
              "throttled machine); the paired ratios allow for it")
    baseline = median_run(hellos)
    each = ", ".join(f"{h['rps']:.0f}" for h in hellos)
    results = [record("http_hello" + suffix, baseline, 1.0, "raw WSGI app, constant "
                      f"{len(hello_module.BODY):,}-byte page; {where}; runs: {each} req/s")]
    show("hello (raw WSGI)", baseline, None)
    for name, label, detail, _, _ in pages:
        fig = median_run(runs[name])
        ratios = [r["rps"] * 2 / (hellos[i]["rps"] + hellos[i + 1]["rps"])
                  for i, r in enumerate(runs[name])]
        ratio = statistics.median(ratios)
        each = ", ".join(f"{r['rps']:.0f}" for r in runs[name])
        show(label, fig, ratio)
        results.append(record(name + suffix, fig, ratio, f"{label}: {detail}; "
                              f"{where}; runs: {each} req/s; ratio: median of "
                              "each run against the mean of the hello runs "
                              "before and after it", baseline))
    return results


@contextmanager
def cupola_server(workdir, uri, pin):
    """Serve Cupola; yield its base URL and the pages to load, checked."""
    log = os.path.join(workdir, "cupola.log")
    env = {"CUPOLA_ZODB_URI": uri, "CUPOLA_CONFIG": ""}
    with servers.serving("cupola.wsgi:application", env=env, cwd=workdir,
                         log_path=log, pin=pin) as base:
        status, headers, body = load.get(base + DOCUMENT)
        check(status == 200, f"{DOCUMENT} answered {status}; see {log}")
        etag = headers.get("ETag")
        check(etag, f"{DOCUMENT} has no ETag")
        status, _, folder_body = load.get(base + FOLDER)
        check(status == 200, f"{FOLDER} answered {status}; see {log}")
        inm = {"If-None-Match": etag}
        check(load.get(base + DOCUMENT, inm)[0] == 304,
              f"If-None-Match: {etag} was not answered 304")
        yield base, [  # (name, label, detail, path, headers)
            ("http_document_view", f"Document view {DOCUMENT}",
             f"{len(body):,}-byte page", DOCUMENT, None),
            ("http_folder_listing", f"folder listing {FOLDER}",
             f"{len(folder_body):,}-byte page, 20 items", FOLDER, None),
            ("http_document_304", "conditional GET, 304",
             f"{DOCUMENT} with If-None-Match", DOCUMENT, inm),
        ]


def median_run(runs):
    """The run with the median req/s (the upper one of an even count)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def record(name, fig, ratio, detail, baseline=None):
    rec = {"name": name, "value": round(fig["rps"], 1), "unit": "req/s",
           "baseline": round((baseline or fig)["rps"], 1), "ratio": round(ratio, 3)}
    rec.update(p50_ms=_round(fig["p50_ms"]), p99_ms=_round(fig["p99_ms"]),
               errors=fig["errors"], client=fig["client"],
               server=f"waitress, {servers.THREADS} threads", detail=detail)
    return rec


def show(label, fig, ratio):
    shown = f"  {ratio:.2f} × hello" if ratio is not None else ""
    errors = f"  ERRORS: {fig['errors']}" if fig["errors"] else ""
    print(f"  {label:<34} {fig['rps']:9.1f} req/s  p50 {fig['p50_ms'] or 0:6.2f} ms"
          f"  p99 {fig['p99_ms'] or 0:6.2f} ms{shown}{errors}")


def check(ok, message):
    if not ok:
        raise SystemExit(f"bench: {message}")


def _round(x):
    return None if x is None else round(x, 2)


if __name__ == "__main__":
    main()
