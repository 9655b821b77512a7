"""What add-ons cost per request, in-process (no server, no sockets).

    .venv/bin/python bench/addons.py [--seconds 2] [--rounds 5]

Calls WSGI callables directly, taking turns for several rounds, with the
response cache off (every request goes through the publisher):

- ``hello``: the raw WSGI baseline (``hello.py``);
- ``cupola``: the folder ``/about`` of a site without add-ons;
- ``cupola+installed``: the same with the two fixture add-ons of
  tests/functional/addons installed but not active in the site;
- ``cupola+active``: the same with both active: the request is marked
  with their layers, templates are looked up through their skin layer
  (which does not override this page's), handlers are guarded.

Prints requests/s (median) with each figure's ratio to ``hello`` of the
same round, and each add-on case's ratio to ``cupola``.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "functional" / "addons"))

import hello as hello_module  # noqa: E402
from middleware import environ, run  # noqa: E402


def cupola_app(**settings):
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    settings = {"zodb_uri": "memory://", "response_cache": "false",
                "discover_addons": "false", **settings}
    config = configure(settings)
    db = open_db("memory://")
    bootstrap(db, admin_password="bench-admin-pw-1", echo=None, registry=config.registry)
    return Application(config.registry, db, settings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.pop("CUPOLA_RESPONSE_CACHE", None)
    apps = {
        "cupola": cupola_app(),
        "cupola+installed": cupola_app(addons="greetings evolving"),
        "cupola+active": cupola_app(addons="greetings evolving",
                                    activate_addons="greetings evolving"),
    }
    cases = {"hello": (hello_module.app, environ("/"))}
    cases.update({name: (app, environ("/about")) for name, app in apps.items()})
    for app, env in cases.values():  # warm up: templates, caches
        run(app, env, 0.2)
    figures = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (app, env) in cases.items():
            figures[name].append(run(app, env, args.seconds))
    print(f"in-process WSGI calls, response cache off, {args.rounds} rounds of "
          f"{args.seconds:g} s (pid {os.getpid()})")
    for name, rates in figures.items():
        line = f"  {name:18s} {statistics.median(rates):10,.0f} req/s"
        if name != "hello":
            ratio = statistics.median(r / h for r, h in zip(rates, figures["hello"]))
            line += f"   {ratio:.4f} of hello"
        if name.startswith("cupola+"):
            own = statistics.median(r / c for r, c in zip(rates, figures["cupola"]))
            line += f"   {own:.3f} of cupola"
        print(line)
    for app in apps.values():
        app.db.close()


if __name__ == "__main__":
    main()
