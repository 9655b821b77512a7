"""Cupola's benchmarks: HTTP figures as ratios to a raw WSGI app, big folders.

    .venv/bin/python bench/run.py            # HTTP + a folder of 100,000
    .venv/bin/python bench/run.py --big      # ... and of 1,000,000 items

1. Seeds a FileStorage under a temporary folder: a site with ``/bench``
   holding 20 documents, and ``/sec/a/b/c/doc`` with the user ``editor``
   who has the local role Editor on ``/sec/a`` (``seed.py``).
2. Starts ``hello.py`` and Cupola twice, as separate processes under
   waitress with 4 threads on free loopback ports (as ``cupola serve`` runs
   it, through ``cupola.server``, which keeps the connection open after a
   304 where stock waitress 3.0 closes it): Cupola as deployed (the
   response cache on) and with ``CUPOLA_RESPONSE_CACHE=0`` (on a copy of
   the database: a FileStorage is one process's). One URL at a time is
   loaded by the same client (wrk, else a Python keep-alive client) for the
   same time, taking turns for 5 rounds: hello's page; then, with the cache
   and without, the Document view ``/bench/doc-0010``, the folder listing
   ``/bench`` and a conditional GET of the Document answered 304; then the
   security cost: ``/sec/a/b/c/doc`` as Anonymous without the cache, as
   the signed-in editor (a session cookie from ``/@@login``; never
   cached), and as Anonymous with the cache (``load.py``, ``servers.py``).
   Each req/s figure is the median over the rounds; each ratio is the
   median of every Cupola run against the mean of the hello runs just
   before and after it, so that the drifting speed of a shared machine
   cancels out; ``security_editor_vs_anonymous`` is the median over the
   rounds of the editor's req/s over Anonymous's (uncached). The servers
   are pinned to CPU 0 and the client to the other CPUs (``--pin``;
   unpinned, waitress's threads pass the GIL across cores and a cheap
   app's req/s swings several-fold from one run to the next).
   Then the same on granian with 1 worker for 3 rounds: hello, the
   Document view and the 304, with the cache and without (figures with
   the suffix ``_granian``).
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
from contextlib import ExitStack, contextmanager
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
from seed import EDITOR, EDITOR_PASSWORD, SECURE_DOCUMENT as SECURE, seed  # noqa: E402

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
    p.add_argument("--rounds", type=int, default=5,
                   help="hello and Cupola take turns this many times on "
                   "waitress; the figures are medians (default 5)")
    p.add_argument("--granian-rounds", type=int, default=3,
                   help="the same on granian, 1 worker: hello, the Document "
                   "view and the 304 (default 3; 0 skips granian)")
    p.add_argument("--pin", choices=("no", "yes", "both"), default="yes",
                   help="run the servers on CPU 0 and the client on the "
                   "others: 'no' (as deployed), 'yes' (default, steadier), or "
                   "'both' (then the pinned figures get the suffix _pinned)")
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
            if args.granian_rounds and servers.has_granian():
                results += http_figures(workdir, uri, args, pins[-1], "granian")
            elif args.granian_rounds:
                print("bench: granian is not installed in this venv; skipped")
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


def http_figures(workdir, uri, args, pin, server="waitress"):
    """Records of hello and the Cupola pages; see the module docstring."""
    cpus = servers.client_cpus() if pin else None
    where = (f"server on CPU {','.join(map(str, sorted(servers.SERVER_CPUS)))}, "
             f"client on CPU {','.join(map(str, sorted(cpus)))}"
             if pin else "not pinned")
    server_name = SERVER_NAMES[server]
    rounds = args.rounds if server == "waitress" else args.granian_rounds
    print(f"\nHTTP ({where}): {server_name}; client "
          f"{load.client_name()}, {load.CONNECTIONS} connections; {rounds} "
          f"rounds of {args.duration} s per URL after {args.warmup} s of warm-up")
    busy = os.getloadavg()[0]
    if busy > 1.0:
        print(f"  warning: load average {busy:.1f} before starting; other "
              "processes will skew these figures")

    def run(url, headers=None):
        return load.load(url, args.duration, headers, args.warmup, cpus=cpus)

    suffix = ("_pinned" if pin and args.pin == "both" else "") + \
        ("" if server == "waitress" else "_" + server)
    with ExitStack() as stack:
        hello_base = stack.enter_context(servers.serving(
            "hello:app", log_path=os.path.join(workdir, f"hello-{server}.log"),
            pin=pin, server=server))
        status, _, body = load.get(hello_base + "/")
        check(status == 200 and body == hello_module.BODY, f"hello answered {status}")
        cached = stack.enter_context(cupola_server(workdir, uri, pin, True, server))
        uncached = stack.enter_context(cupola_server(workdir, uri, pin, False, server))
        pages = cupola_pages(cached, uncached, server)
        # Only one server is loaded at a time. They take turns, round after
        # round, so that each Cupola run has hello runs just before and after
        # it: the speed of this machine drifts, and the ratio should not.
        hellos, runs = [], {name: [] for name, *_ in pages}
        for i in range(rounds):
            hellos.append(run(hello_base + "/"))
            for name, _, _, url, headers in pages:
                runs[name].append(run(url, headers))
            print(f"  round {i + 1}: hello {hellos[-1]['rps']:.0f} req/s; " + ", ".join(
                f"{name[5:]} {runs[name][-1]['rps']:.0f}" for name, *_ in pages))
        hellos.append(run(hello_base + "/"))
        for name, _, _, url, headers in pages:
            if name.endswith(("_304", "_304_nocache")):
                check(load.get(url, headers)[0] == 304,
                      f"{name}: the ETag changed during the load")

    spread = max(h["rps"] for h in hellos) / min(h["rps"] for h in hellos) - 1
    if spread > 0.25:
        print(f"  note: hello varied by {spread:.0%} between rounds (a busy or "
              "throttled machine); the paired ratios allow for it")
    baseline = median_run(hellos)
    each = ", ".join(f"{h['rps']:.0f}" for h in hellos)
    results = [record("http_hello" + suffix, baseline, 1.0, "raw WSGI app, constant "
                      f"{len(hello_module.BODY):,}-byte page; {where}; runs: {each} req/s",
                      server=server_name)]
    show("hello (raw WSGI)", baseline, None)
    ratios = {}
    for name, label, detail, _, _ in pages:
        fig = median_run(runs[name])
        ratios[name] = [r["rps"] * 2 / (hellos[i]["rps"] + hellos[i + 1]["rps"])
                        for i, r in enumerate(runs[name])]
        ratio = statistics.median(ratios[name])
        each = ", ".join(f"{r['rps']:.0f}" for r in runs[name])
        show(label, fig, ratio)
        results.append(record(name + suffix, fig, ratio, f"{label}: {detail}; "
                              f"{where}; runs: {each} req/s; ratio: median of "
                              "each run against the mean of the hello runs "
                              "before and after it", baseline, server_name))
    if "http_security_editor" in runs:
        # the signed-in Editor against Anonymous, both uncached, round by round
        pairs = [e / a for e, a in zip(ratios["http_security_editor"],
                                       ratios["http_security_anonymous_nocache"])]
        cost = statistics.median(pairs)
        print(f"  {'signed-in Editor / anonymous':<38} {cost:.2f} (uncached; "
              "target ≥ 0.85)")
        results.append({
            "name": "security_editor_vs_anonymous" + suffix, "value": round(cost, 3),
            "unit": "ratio", "server": server_name,
            "detail": f"{SECURE}: req/s of the signed-in editor (local role "
            "Editor three levels up) over Anonymous's, response cache off; "
            f"median of the {len(pairs)} rounds' ratios ("
            + ", ".join(f"{x:.2f}" for x in pairs) + f"); {where}"})
    return results


SERVER_NAMES = {"waitress": f"waitress, {servers.THREADS} threads",
                "granian": "granian, 1 worker"}


@contextmanager
def cupola_server(workdir, uri, pin, cache=True, server="waitress"):
    """Serve Cupola, with or without the response cache; yield its base URL."""
    log = os.path.join(workdir, f"cupola-{server}{'' if cache else '-nocache'}.log")
    if not cache:  # a FileStorage is one process's: this one gets a copy
        source = uri[len("file://"):]
        copy = os.path.join(workdir, "site-nocache", "Data.fs")
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copyfile(source, copy)
        uri = "file://" + copy
    env = {"CUPOLA_ZODB_URI": uri, "CUPOLA_CONFIG": "",
           "CUPOLA_RESPONSE_CACHE": "1" if cache else "0"}
    with servers.serving("cupola.wsgi:application", env=env, cwd=workdir,
                         log_path=log, pin=pin, server=server) as base:
        for path in (DOCUMENT, FOLDER, SECURE):
            status = load.get(base + path)[0]
            check(status == 200, f"{path} answered {status}; see {log}")
        yield base


def cupola_pages(cached, uncached, server):
    """The pages to load: (name, label, detail, url, headers), checked.

    *uncached* serves a copy of the database: signing in there may commit,
    so each server's ETag is fetched from that server, after signing in.
    """
    cookie = None
    if server == "waitress":
        cookie = {"Cookie": load.sign_in(uncached, EDITOR, EDITOR_PASSWORD)}
    body = load.get(cached + DOCUMENT)[2]
    folder_body = load.get(cached + FOLDER)[2]
    secure_body = load.get(cached + SECURE)[2]
    pages = []
    for base, tail, what in ((cached, "", "response cache on"),
                             (uncached, "_nocache", "response cache off")):
        etag = load.get(base + DOCUMENT)[1].get("ETag")
        check(etag, f"{DOCUMENT} has no ETag")
        inm = {"If-None-Match": etag}
        check(load.get(base + DOCUMENT, inm)[0] == 304,
              f"If-None-Match: {etag} was not answered 304 by {base}")
        pages += [
            ("http_document_view" + tail, f"Document view{tail and ', no cache'}",
             f"{DOCUMENT}, {len(body):,}-byte page; {what}", base + DOCUMENT, None),
            ("http_folder_listing" + tail, f"folder listing{tail and ', no cache'}",
             f"{FOLDER}, {len(folder_body):,}-byte page, 20 items; {what}",
             base + FOLDER, None),
            ("http_document_304" + tail, f"conditional GET, 304{tail and ', no cache'}",
             f"{DOCUMENT} with If-None-Match; {what}", base + DOCUMENT, inm),
        ]
    if cookie is None:  # granian: the view and the 304 only
        return [p for p in pages if "folder" not in p[0]]
    status, _, editor_body = load.get(uncached + SECURE, cookie)
    check(status == 200 and editor_body != secure_body,
          f"{SECURE} as {EDITOR}: {status}, or the anonymous page")
    pages += [
        ("http_security_anonymous_nocache", "security: anonymous, no cache",
         f"{SECURE} (4 folders deep), {len(secure_body):,}-byte page, "
         "response cache off", uncached + SECURE, None),
        ("http_security_editor", "security: signed-in editor",
         f"{SECURE} as {EDITOR} (session cookie; no global role, local "
         f"role Editor on /sec/a), {len(editor_body):,}-byte page; the "
         "response cache never serves signed-in users", uncached + SECURE, cookie),
        ("http_security_anonymous", "security: anonymous, cache",
         f"{SECURE}, response cache on", cached + SECURE, None),
    ]
    return pages


def median_run(runs):
    """The run with the median req/s (the upper one of an even count)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def record(name, fig, ratio, detail, baseline=None, server=None):
    rec = {"name": name, "value": round(fig["rps"], 1), "unit": "req/s",
           "baseline": round((baseline or fig)["rps"], 1), "ratio": round(ratio, 3)}
    rec.update(p50_ms=_round(fig["p50_ms"]), p99_ms=_round(fig["p99_ms"]),
               errors=fig["errors"], client=fig["client"],
               server=server or SERVER_NAMES["waitress"], detail=detail)
    return rec


def show(label, fig, ratio):
    shown = f"  {ratio:.2f} × hello" if ratio is not None else ""
    errors = f"  ERRORS: {fig['errors']}" if fig["errors"] else ""
    print(f"  {label:<38} {fig['rps']:9.1f} req/s  p50 {fig['p50_ms'] or 0:6.2f} ms"
          f"  p99 {fig['p99_ms'] or 0:6.2f} ms{shown}{errors}")


def check(ok, message):
    if not ok:
        raise SystemExit(f"bench: {message}")


def _round(x):
    return None if x is None else round(x, 2)


if __name__ == "__main__":
    main()
