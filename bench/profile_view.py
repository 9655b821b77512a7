"""Profile one request path in-process: the WSGI app called directly, no server.

    .venv/bin/python bench/profile_view.py                  # Document view
    .venv/bin/python bench/profile_view.py --path /bench    # folder listing
    .venv/bin/python bench/profile_view.py --conditional    # the 304 answer
    .venv/bin/python bench/profile_view.py --no-cache       # without the response cache
    .venv/bin/python bench/profile_view.py --as-editor      # /sec/a/b/c/doc signed in

Seeds the benchmark database (``seed.py``) in a temporary folder, builds the
app with ``make_app``, warms it up, times N requests without the profiler
(wall and CPU µs per request; CPU time is steadier on a busy machine), then runs N more under cProfile
and prints the top functions by own time and by cumulative time with
``file:line``. ``--out FILE`` keeps the raw profile for snakeviz/pstats.
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time

from seed import EDITOR, EDITOR_PASSWORD, SECURE_DOCUMENT, seed


def environ_for(path, headers=None):
    env = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path,
        "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8080", "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, path, headers=None, post=None):
    status = []
    env = environ_for(path, headers)
    if post is not None:
        data = post.encode()
        env.update(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(data)),
                   CONTENT_TYPE="application/x-www-form-urlencoded")
        env["wsgi.input"] = io.BytesIO(data)
    body = b"".join(app(env, lambda s, h, exc_info=None: status.append((s, h))))
    return status[0][0], status[0][1], body


def sign_in(app, login, password):
    """The Cookie header of a session of *login*, through ``/@@login``."""
    import re
    from urllib.parse import urlencode

    def cookie(headers, name):
        for k, v in headers:
            if k.lower() == "set-cookie" and v.startswith(name + "="):
                return v.split(";", 1)[0]
        raise SystemExit(f"no {name} cookie from /@@login")

    status, headers, page = call(app, "/@@login")
    csrf = cookie(headers, "cupola_csrf")
    token = re.search(rb'name="_csrf"[^>]*value="([^"]*)"', page).group(1).decode()
    status, headers, _ = call(app, "/@@login", {"Cookie": csrf}, urlencode(
        {"login": login, "password": password, "_csrf": token}))
    return f"{cookie(headers, 'cupola_session')}; {csrf}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--path", default="/bench/doc-0010")
    p.add_argument("--conditional", action="store_true",
                   help="send If-None-Match with the page's ETag (304 path)")
    p.add_argument("--no-cache", action="store_true",
                   help="switch the response cache off (CUPOLA_RESPONSE_CACHE=0)")
    p.add_argument("--as-editor", action="store_true",
                   help=f"GET {SECURE_DOCUMENT} signed in as {EDITOR} (local "
                   "role Editor three levels up; never cached)")
    p.add_argument("-n", type=int, default=3000, help="requests (default 3000)")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--out", help="write the raw cProfile stats here")
    args = p.parse_args(argv)

    from cupola.wsgi import make_app
    workdir = tempfile.mkdtemp(prefix="cupola-profile-")
    try:
        uri = seed(os.path.join(workdir, "Data.fs"))
        if args.no_cache:
            os.environ["CUPOLA_RESPONSE_CACHE"] = "0"
        app = make_app({"here": workdir}, zodb_uri=uri)
        extra = {}
        if args.as_editor:
            args.path = SECURE_DOCUMENT
            extra["Cookie"] = sign_in(app, EDITOR, EDITOR_PASSWORD)
        status, headers, body = call(app, args.path, extra)
        assert status.startswith("200"), status
        if args.conditional:
            extra["If-None-Match"] = dict(headers)["ETag"]
        status, _, body = call(app, args.path, extra)
        print(f"GET {args.path} {sorted(extra)}: {status}, "
              f"{len(body):,} bytes")
        for _ in range(500):
            call(app, args.path, extra)
        t0, c0 = time.perf_counter(), time.thread_time()
        for _ in range(args.n):
            call(app, args.path, extra)
        per = (time.perf_counter() - t0) / args.n
        cpu = (time.thread_time() - c0) / args.n
        print(f"{per * 1e6:.0f} µs per request without the profiler, "
              f"{cpu * 1e6:.0f} µs of CPU (≈ {1 / cpu:,.0f} req/s on one "
              "core, no server)\n")
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.n):
            call(app, args.path, extra)
        prof.disable()
        if args.out:
            prof.dump_stats(args.out)
        stats = pstats.Stats(prof)
        total = stats.total_tt
        report(stats, total, "tottime", "own time", args.top)
        report(stats, total, "cumulative", "cumulative time", args.top)
        app.db.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(stats, total, key, title, top):
    print(f"top {top} by {title} (share of {total:.2f} s profiled):")
    print(f"{'own%':>6} {'cum%':>6} {'calls/req':>9}  function")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2 if key == "tottime" else 3],
                  reverse=True)
    reqs = None
    for (filename, line, func), (cc, nc, tt, ct, _) in rows:
        if func == "call" and filename.endswith("profile_view.py"):
            reqs = nc
    for (filename, line, func), (cc, nc, tt, ct, _) in rows[:top]:
        where = short(filename)
        print(f"{100 * tt / total:5.1f}% {100 * ct / total:5.1f}% "
              f"{nc / (reqs or 1):9.1f}  {where}:{line} {func}")
    print()


def short(filename):
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    main()
