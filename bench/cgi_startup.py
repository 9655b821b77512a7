"""CGI startup: the wall time of one CGI request, a process each time.

    .venv/bin/python bench/cgi_startup.py            # 15 rounds
    .venv/bin/python bench/cgi_startup.py --rounds 30

Seeds a FileStorage site in a temporary folder (``cupola init``) and
writes two CGI scripts: ``hello.cgi``, a raw WSGI app through
``wsgiref.handlers.CGIHandler`` (the baseline: Python's own start-up and
the CGI gateway), and ``cupola.cgi``, the script docs/deploy.md shows
(``cupola.wsgi.run_cgi()``). Each is run as a web server's CGI module runs
it, a new process with the CGI variables for ``GET /welcome`` (a Document
view), taking turns for the given rounds after one warm-up each; bytecode
is written as in a deployment (PYTHONDONTWRITEBYTECODE is unset).

Prints the median, the fastest and the 90th percentile of each, the ratio
of Cupola's median to hello's, the first request with no compiled template
cache yet, and where one warm request's time goes (import, building the
application, answering), measured inside a process.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = """\
#!{python}
from wsgiref.handlers import CGIHandler

def app(environ, start_response):
    body = b"Hello, world!"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]

CGIHandler().run(app)
"""

CUPOLA = """\
#!{python}
import os
os.environ.setdefault("CUPOLA_ZODB_URI", "{uri}")
from cupola.wsgi import run_cgi
run_cgi()
"""

PHASES = """\
import os, sys, time
t0 = time.perf_counter()
os.environ.setdefault("CUPOLA_ZODB_URI", "{uri}")
import cupola.wsgi
from cupola.gateways import use_template_cache
t1 = time.perf_counter()
use_template_cache()
app = cupola.wsgi.application.load()
t2 = time.perf_counter()
from wsgiref.handlers import CGIHandler
sys.stdout = open(os.devnull, "w")
CGIHandler().run(app)
t3 = time.perf_counter()
app.db.close()
t4 = time.perf_counter()
print(f"{{t1 - t0}} {{t2 - t1}} {{t3 - t2}} {{t4 - t3}}", file=sys.stderr)
"""


def cgi_env(folder):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CUPOLA_", "CHAMELEON_"))
           and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
                "SCRIPT_NAME": "", "PATH_INFO": "/welcome", "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "CUPOLA_TEMPLATE_CACHE": str(folder / "templates")})
    return env


def run_once(args, env, cwd):
    """Seconds for one CGI process; checks that it answered 200."""
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - start
    head = done.stdout[:40]
    if done.returncode != 0 or not head.startswith(b"Status: 200"):
        sys.exit(f"bench: {args[-1]} failed ({done.returncode}): "
                 f"{head!r}\n{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def write_script(path, text):
    path.write_text(text)
    path.chmod(0o755)
    return path


def figures(times):
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(times), ordered[0], p90


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    python = sys.executable
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cupola-cgi-bench-") as tmp:
        folder = Path(tmp)
        uri = f"file://{folder}/Data.fs"
        env = cgi_env(folder)
        init = subprocess.run(
            [str(Path(python).with_name("cupola")), "init", "--zodb-uri", uri],
            env={**env, "CUPOLA_ADMIN_PASSWORD": "bench-password-1"},
            cwd=folder, capture_output=True, text=True, timeout=300)
        if init.returncode != 0:
            sys.exit("bench: cupola init failed:\n" + init.stdout + init.stderr)
        hello = write_script(folder / "hello.cgi", HELLO.format(python=python))
        cupola = write_script(folder / "cupola.cgi", CUPOLA.format(python=python, uri=uri))

        run_once([str(hello)], env, folder)
        cold = run_once([str(cupola)], env, folder)  # compiles the templates
        times = {"hello": [], "cupola": []}
        for _ in range(args.rounds):
            times["hello"].append(run_once([str(hello)], env, folder))
            times["cupola"].append(run_once([str(cupola)], env, folder))

        phases = []
        script = folder / "phases.py"
        script.write_text(PHASES.format(uri=uri))
        for _ in range(5):
            done = subprocess.run([python, str(script)], env=env, cwd=folder,
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                sys.exit("bench: phases failed:\n" + done.stderr[-2000:])
            phases.append([float(x) for x in done.stderr.split()[-4:]])

    print(f"CGI request, GET /welcome, {args.rounds} rounds, a new process each "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    for name, label in (("hello", "raw WSGI hello (CGIHandler)"),
                        ("cupola", "Cupola (cupola.wsgi.run_cgi)")):
        median, fastest, p90 = figures(times[name])
        print(f"  {label:32s} median {median * 1000:6.0f} ms   fastest "
              f"{fastest * 1000:6.0f} ms   p90 {p90 * 1000:6.0f} ms")
    ratio = statistics.median(times["cupola"]) / statistics.median(times["hello"])
    print(f"  ratio Cupola / hello (medians): {ratio:.1f}")
    print(f"  first Cupola request, templates not yet compiled: {cold * 1000:.0f} ms")
    names = ("import cupola.wsgi", "build the application", "answer the request",
             "close the database")
    print("  inside one warm Cupola process (median of 5):")
    for i, name in enumerate(names):
        print(f"    {name:24s} {statistics.median(p[i] for p in phases) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
