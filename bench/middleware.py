"""What the filters of production.ini cost, in-process (no server, no sockets).

    .venv/bin/python bench/middleware.py [--seconds 2] [--rounds 5]

Calls WSGI callables directly, as a server would, for the same time each,
taking turns for several rounds:

- ``hello``: the raw WSGI baseline (``hello.py``), the ceiling;
- ``hello+filters``: the same app behind proxy, accesslog, metrics and gzip,
  to see the filters' own cost against the cheapest possible app;
- ``cupola``: the Document view ``/welcome`` of a site on ``memory://``
  (anonymous, answered from the response cache, as most traffic is);
- ``cupola+filters``: the same behind the four filters, the client
  accepting gzip, the request coming through a trusted proxy with
  ``X-Forwarded-For/-Proto/-Host``, the access log written to a file.

Prints requests/s (median over the rounds) and each figure's ratio to
``hello`` of the same round, and the filters' cost as the ratio of each
app with the filters to the same app without.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hello as hello_module  # noqa: E402


def environ(path, gzip=False, proxied=False):
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "",
           "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080",
           "HTTP_HOST": "127.0.0.1:8080", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
           "wsgi.input": None, "wsgi.errors": sys.stderr,
           "HTTP_USER_AGENT": "bench/1.0"}
    if gzip:
        env["HTTP_ACCEPT_ENCODING"] = "gzip, deflate, br"
    if proxied:
        env.update({"HTTP_X_FORWARDED_FOR": "203.0.113.9",
                    "HTTP_X_FORWARDED_PROTO": "https",
                    "HTTP_X_FORWARDED_HOST": "www.example.org"})
    return env


def start_response(status, headers, exc_info=None):
    return None


def run(app, template, seconds):
    """Requests per second of *app* for *seconds*, body read and closed."""
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while True:
        body = app(dict(template), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
        count += 1
        if count % 50 == 0 and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - started)


def filtered(app, log_path):
    from cupola.wsgi_middleware.accesslog import make_accesslog_filter
    from cupola.wsgi_middleware.gzip import make_gzip_filter
    from cupola.wsgi_middleware.metrics import make_metrics_filter
    from cupola.wsgi_middleware.proxy import make_proxy_filter
    app = make_gzip_filter(app, {})
    app = make_metrics_filter(app, {})
    app = make_accesslog_filter(app, {}, path=str(log_path))
    return make_proxy_filter(app, {}, trusted_proxies="127.0.0.1 ::1")


def cupola_app():
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    settings = {"zodb_uri": "memory://"}
    config = configure(settings)
    db = open_db("memory://")
    bootstrap(db, admin_password="bench-admin-pw-1", echo=None, registry=config.registry)
    return Application(config.registry, db, settings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cupola-bench-mw-"))
    hello, cupola = hello_module.app, cupola_app()
    cases = {
        "hello": (hello, environ("/")),
        "hello+filters": (filtered(hello, folder / "hello-access.log"),
                          environ("/", gzip=True, proxied=True)),
        "cupola": (cupola, environ("/welcome")),
        "cupola+filters": (filtered(cupola, folder / "cupola-access.log"),
                           environ("/welcome", gzip=True, proxied=True)),
    }
    for app, env in cases.values():  # warm up: templates, caches
        run(app, env, 0.2)
    figures = {name: [] for name in cases}
    ratios = {name: [] for name in cases if name != "hello"}
    for _ in range(args.rounds):
        base = run(*cases["hello"], args.seconds)
        figures["hello"].append(base)
        for name, (app, env) in cases.items():
            if name == "hello":
                continue
            rate = run(app, env, args.seconds)
            figures[name].append(rate)
            ratios[name].append(rate / base)
    print(f"in-process WSGI calls, {args.rounds} rounds of {args.seconds:g} s "
          f"(pid {os.getpid()})")
    for name, rates in figures.items():
        line = f"  {name:16s} {statistics.median(rates):10,.0f} req/s"
        if name in ratios:
            line += f"   {statistics.median(ratios[name]):.3f} of hello"
        print(line)
    for bare in ("hello", "cupola"):
        cost = [f / b for f, b in zip(figures[bare + "+filters"], figures[bare])]
        print(f"  filters on {bare}: {statistics.median(cost):.3f} of the bare app's req/s")
    cupola.db.close()


if __name__ == "__main__":
    main()
