"""Rebuild the catalog: every index, or only those named, with a progress bar."""

import time

from cupola.cli.options import Progress, add_db_options, site_session


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("indexes", nargs="*", metavar="INDEX",
                        help="only these indexes (default: all, from scratch)")
    parser.add_argument("--commit-every", type=int, default=5000, metavar="N",
                        help="commit after every N objects (default 5000)")


def run(args):
    from cupola.catalog import reindex, sync_site
    from cupola.exceptions import CupolaError
    with site_session(args) as (site, registry, tm):
        sync_site(site, registry)
        unknown = [n for n in args.indexes if not site.catalog.has_index(n)]
        if unknown:
            raise CupolaError(
                f"No catalog index {', '.join(map(repr, unknown))}; the indexes "
                f"are: {', '.join(sorted(registry.catalog_indexes))}.")
        started = time.monotonic()
        done = reindex(site, registry, names=args.indexes or None,
                       progress=Progress("Reindexing"),
                       commit_every=args.commit_every, tm=tm)
        tm.get().note("cupola reindex")
        tm.commit()
        took = time.monotonic() - started
        print(f"Reindexed {done} objects in {took:.1f} s "
              f"({done / took if took else 0:.0f} objects/s).")
