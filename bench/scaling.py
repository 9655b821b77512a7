"""Scale-out: Document-view req/s with 1, 2 and 4 gunicorn workers on one
ZEO server and on RelStorage (PostgreSQL), each against the raw WSGI
baseline (hello.py) under the same gunicorn in the same run.

    .venv/bin/python bench/scaling.py                 # ZEO and RelStorage
    .venv/bin/python bench/scaling.py --backends zeo --rounds 1

1. Seeds a FileStorage (seed.py: /bench with 20 documents). ZEO: ``cupola
   zeo`` serves it. RelStorage: a private PostgreSQL cluster (initdb on a
   free port, as tests/deploy starts it) receives a copy of it
   (``copyTransactionsFrom``). A single-process FileStorage is measured
   too, with one worker, as the reference.
2. For each backend and worker count N: ``gunicorn -k gthread -w N
   --threads 4 cupola.wsgi:application`` (each worker its own connection
   pool, object cache and ZEO/RelStorage client), loaded on the Document
   view ``/bench/doc-0010`` by Anonymous, with the response cache on (as
   deployed) and off (``CUPOLA_RESPONSE_CACHE=0``: every request renders);
   and ``gunicorn ... hello:app`` with the same N, loaded the same way.
3. The load comes from a separate process (wrk, else load.py's Python
   client) with 16 connections. Rounds take turns; every figure is the
   median over the rounds without errors, and every ratio is Cupola's
   req/s over hello's with the same worker count in the same round.
4. Then the write rate: 4 signed-in clients post the add form of a
   Document to one ``cupola serve`` for ``--write-seconds``; acknowledged
   adds per second, with 503s counted.
5. Prints a table and writes ``bench/results/scaling.json``.

All processes share this machine's CPUs with the load generator (and the
ZEO server or PostgreSQL): on a small machine the figures show how the
work divides, not what separate app servers would reach.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.append(str(BENCH.parent / "tests" / "deploy"))  # scaleout: Postgres, ZeoServer

import load  # noqa: E402
import servers  # noqa: E402
from seed import seed  # noqa: E402

RESULTS = BENCH / "results" / "scaling.json"
DOCUMENT = "/bench/doc-0010"
WORKERS = (1, 2, 4)
THREADS = 4


def gunicorn_cmd(app, port, workers):
    return [str(servers.VENV_BIN / "gunicorn"), "-k", "gthread", "-w", str(workers),
            "--threads", str(THREADS), "-b", f"127.0.0.1:{port}",
            "--pythonpath", str(BENCH), "--log-level", "warning", app]


@contextmanager
def gunicorn(app, workers, cwd, env=None, log_path=None):
    port = servers.free_port()
    log = open(log_path or os.devnull, "ab")
    proc = subprocess.Popen(gunicorn_cmd(app, port, workers), cwd=cwd,
                            env={**os.environ, **(env or {})}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not servers.wait_port(port, proc):
            raise RuntimeError(f"gunicorn {app} did not start; see {log_path}")
        base = f"http://127.0.0.1:{port}"
        # every worker builds the app on its first request: warm them all
        for _ in range(workers * 8):
            load.get(base + (DOCUMENT if app != "hello:app" else "/"))
        yield base
    finally:
        servers.stop(proc)
        log.close()


def cupola_env(uri, cache):
    env = {"CUPOLA_ZODB_URI": uri, "CUPOLA_RESPONSE_CACHE": "1" if cache else "0"}
    env.pop("CUPOLA_CONFIG", None)
    return env


def measure(base, path, args, errors):
    """req/s; errors (non-2xx/3xx, socket errors) are added to *errors*."""
    figures = load.load(base + path, args.duration, warmup=args.warmup)
    if figures["errors"]:
        print(f"    ! {figures['errors']} errors on {base}{path}", file=sys.stderr)
        errors.append(figures["errors"])
    return figures["rps"]


def run_backend(name, uri, workers_list, args, workdir, results):
    for workers in workers_list:
        for r in range(args.rounds):
            errors = []
            with gunicorn("hello:app", workers, workdir) as base:
                hello = measure(base, "/", args, errors)
            row = {"hello": hello}
            for cache in (True, False):
                key = "cached" if cache else "uncached"
                log_path = workdir / f"{name}-{workers}-{key}.log"
                with gunicorn("cupola.wsgi:application", workers, workdir,
                              cupola_env(uri(workers, key), cache), log_path) as base:
                    row[key] = measure(base, DOCUMENT, args, errors)
            row["errors"] = sum(errors)
            results.setdefault(name, {}).setdefault(str(workers), []).append(row)
            print(f"  {name:10} w={workers} round {r + 1}: hello {hello:8.0f}  "
                  f"cached {row['cached']:7.0f} ({row['cached'] / hello:.3f})  "
                  f"uncached {row['uncached']:7.0f} ({row['uncached'] / hello:.3f})",
                  flush=True)


def write_rate(uri, workdir, name, seconds, writers=4):
    """Acknowledged document adds per second: *writers* signed-in clients
    posting the add form to one ``cupola serve`` (4 threads) for *seconds*."""
    import threading

    from scaleout import App
    app = App(uri, workdir, f"writes-{name}").sign_in(os.environ["CUPOLA_ADMIN_PASSWORD"])
    counts = {"acked": 0, "refused": 0, "failed": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def writer(w):
        n = 0
        while time.monotonic() < stop_at:
            status = app.add_document("/bench", f"write {name} {w} {n}")
            n += 1
            key = "acked" if status == 303 else "refused" if status == 503 else "failed"
            with lock:
                counts[key] += 1

    try:
        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        app.stop()
    return {**counts, "per_second": counts["acked"] / elapsed}


def summarize(results):
    table = {}
    for backend, by_workers in results.items():
        if backend == "writes":
            continue
        for workers, rows in by_workers.items():
            rows = [r for r in rows if not r["errors"]] or rows  # a round with errors is void
            med = {k: statistics.median(r[k] for r in rows)
                   for k in ("hello", "cached", "uncached")}
            ratios = {f"{k}_ratio": statistics.median(r[k] / r["hello"] for r in rows)
                      for k in ("cached", "uncached")}
            table[f"{backend}/w{workers}"] = {**med, **ratios, "rounds": len(rows)}
    return table


def copy_into(source_path, uri):
    """Copy every transaction (and blob) of a FileStorage into RelStorage."""
    from cupola.db.storage import open_storage
    source, _ = open_storage(f"file://{source_path}")
    target, _ = open_storage(uri)
    try:
        target.copyTransactionsFrom(source)
    finally:
        target.close()
        source.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backends", default="file,zeo,relstorage",
                   help="comma-separated: file (1 worker), zeo, relstorage")
    p.add_argument("--duration", type=int, default=5, help="seconds of load (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="seconds before (default 2)")
    p.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    p.add_argument("--write-seconds", type=int, default=10,
                   help="then time document adds through one app for this long "
                   "(default 10; 0 skips)")
    args = p.parse_args(argv)
    backends = args.backends.split(",")
    os.environ.setdefault("CUPOLA_ADMIN_PASSWORD", "bench-scaling-pw")
    workdir = Path(tempfile.mkdtemp(prefix="cupola-scaling-"))
    results, cleanup = {}, []
    print(f"scaling bench: client {load.client_name()}, {os.cpu_count()} CPUs, "
          f"gunicorn gthread x{THREADS} threads; logs in {workdir}", flush=True)
    try:
        source = workdir / "seed" / "Data.fs"
        source.parent.mkdir()
        seed(str(source))
        if "file" in backends:
            run_backend("file", lambda w, k: f"file://{source}", (1,), args,
                        workdir, results)
            if args.write_seconds:
                results.setdefault("writes", {})["file"] = write_rate(
                    f"file://{source}", workdir, "file", args.write_seconds)
        if "zeo" in backends:
            from scaleout import ZeoServer
            zeo_dir = workdir / "zeo"
            shutil.copytree(source.parent, zeo_dir)
            server = ZeoServer(zeo_dir)
            cleanup.append(server.stop)
            run_backend("zeo", lambda w, k: server.uri(f"w{w}-{k}", wait_timeout=5),
                        WORKERS, args, workdir, results)
            if args.write_seconds:
                results.setdefault("writes", {})["zeo"] = write_rate(
                    server.uri("writes"), workdir, "zeo", args.write_seconds)
        if "relstorage" in backends:
            from scaleout import Postgres, find_pg_bin
            cluster = Postgres(find_pg_bin())
            cleanup.append(cluster.destroy)
            base = cluster.create_database()
            copy_into(source, f"{base}?blob_dir={workdir}/pg-copy-cache")
            run_backend("relstorage",
                        lambda w, k: f"{base}?blob_dir={workdir}/pg-{w}-{k}",
                        WORKERS, args, workdir, results)
            if args.write_seconds:
                results.setdefault("writes", {})["relstorage"] = write_rate(
                    f"{base}?blob_dir={workdir}/pg-writes", workdir, "relstorage",
                    args.write_seconds)
    finally:
        for stop in reversed(cleanup):
            stop()
    table = summarize(results)
    print("\nmedians (req/s) and ratios to hello with the same workers:")
    print(f"{'backend/workers':18} {'hello':>8} {'cached':>8} {'ratio':>6} "
          f"{'uncached':>9} {'ratio':>6}")
    for name, row in table.items():
        print(f"{name:18} {row['hello']:8.0f} {row['cached']:8.0f} "
              f"{row['cached_ratio']:6.3f} {row['uncached']:9.0f} {row['uncached_ratio']:6.3f}")
    for name, w in results.get("writes", {}).items():
        print(f"writes on {name}: {w['per_second']:.1f} acknowledged adds/s "
              f"({w['acked']} acknowledged, {w['refused']} refused with 503, "
              f"{w['failed']} other)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(), "client": load.client_name(),
        "duration": args.duration, "rounds": args.rounds,
        "figures": table, "runs": results}, indent=2))
    print(f"\nwritten to {RESULTS}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
