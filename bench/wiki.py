"""What a wiki page costs to show, in-process (no server, no sockets).

    .venv/bin/python bench/wiki.py [--seconds 2] [--rounds 5]

Calls WSGI callables directly, taking turns for several rounds, with the
response cache off (every request goes through the publisher), as
Anonymous:

- ``hello``: the raw WSGI baseline (``hello.py``);
- ``document``: a core Document whose body is the HTML of the wiki page;
- ``wiki page``: the wiki page (about 6 KB of Markdown, 60 links, a third
  to missing pages): its cached HTML with the links decided per request;
- ``wiki page, no cache``: the same page with its cache dropped before each
  call, i.e. converted from Markdown on every view (what the cache saves).

Prints requests/s (median) with each figure's ratio to ``hello`` of the
same round, and the wiki cases' ratio to ``document``.
"""

import argparse
import os
import statistics
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hello as hello_module  # noqa: E402
from middleware import environ, run  # noqa: E402

PARAGRAPH = ("The HarbourBridge plan links the OldTown with the NewQuarter; "
             "see [[Meeting notes]] and [[Budget 2027|the budget]] before the "
             "next CouncilMeeting. Numbers are in `TableOne` and **bold** words "
             "matter.\n\n")
PAGES = ("harbour-bridge", "old-town", "meeting-notes", "budget-2027")


def make_app():
    import transaction
    from cupola.addons import site_scope
    from cupola.content import operations
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.registry import pop_registry, push_registry
    from cupola.wsgi import configure
    settings = {"zodb_uri": "memory://", "response_cache": "false",
                "activate_addons": "cupola_wiki"}
    config = configure(settings)
    registry = config.registry
    db = open_db("memory://")
    bootstrap(db, admin_password="bench-admin-pw-1", echo=None, registry=registry)
    conn = db.open()
    site = get_site(conn)
    push_registry(registry)
    try:
        with site_scope(registry, site):
            wiki = operations.create(registry, site, "Wiki", {"title": "Wiki"})
            wiki.workflow_state = "published"
            made = []
            for name in PAGES:
                made.append(operations.create(
                    registry, wiki, "WikiPage",
                    {"title": name.replace("-", " ").title(), "body": "x",
                     "format": "markdown"}, name=name))
            page = operations.create(registry, wiki, "WikiPage",
                                     {"title": "Plan", "body": PARAGRAPH * 15,
                                      "format": "markdown"}, name="plan")
            for obj in (*made, page):
                obj.workflow_state = "published"
            from cupola_wiki.rendering import parts_of
            html = "".join(p if isinstance(p, str) else p.label for p in parts_of(page))
            doc = operations.create(registry, site, "Document",
                                    {"title": "Plan", "text": html}, name="plan-doc")
            doc.workflow_state = "published"
        transaction.commit()
        from cupola.catalog import reindex
        reindex(site, registry)
        transaction.commit()
    finally:
        pop_registry()
        conn.close()
    return Application(registry, db, settings)


@contextmanager
def no_cache():
    """The page view converts the source on every call (its cache unused)."""
    import cupola_wiki.views as views
    from cupola_wiki.rendering import render_source
    cached = views.parts_of
    views.parts_of = lambda page, store=False: render_source(page.body, page.format)
    try:
        yield
    finally:
        views.parts_of = cached


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.pop("CUPOLA_RESPONSE_CACHE", None)
    app = make_app()
    cases = {"hello": hello_module.app, "document": app, "wiki page": app,
             "wiki page, no cache": app}
    paths = {"hello": "/", "document": "/plan-doc", "wiki page": "/wiki/plan",
             "wiki page, no cache": "/wiki/plan"}
    figures = {name: [] for name in cases}
    for round_ in range(args.rounds + 1):  # round 0 warms up
        for name, target in cases.items():
            seconds = 0.2 if round_ == 0 else args.seconds
            with no_cache() if name.endswith("no cache") else nullcontext():
                rate = run(target, environ(paths[name]), seconds)
            if round_:
                figures[name].append(rate)
    print(f"in-process WSGI calls as Anonymous, response cache off, {args.rounds} "
          f"rounds of {args.seconds:g} s (pid {os.getpid()})")
    for name, rates in figures.items():
        line = f"  {name:20s} {statistics.median(rates):10,.0f} req/s"
        if name != "hello":
            ratio = statistics.median(r / h for r, h in zip(rates, figures["hello"]))
            line += f"   {ratio:.4f} of hello"
        if name.startswith("wiki"):
            own = statistics.median(r / d for r, d in zip(rates, figures["document"]))
            line += f"   {own:.3f} of document"
        print(line)
    app.db.close()


if __name__ == "__main__":
    main()
