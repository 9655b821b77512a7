"""Import an export made by 'cupola export' into a folder of the site.

A JSON export is checked whole before anything is written; the import is
one transaction, so an error leaves the site as it was."""

import time
from pathlib import Path

from cupola.cli.options import Progress, add_db_options, site_session


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("source", metavar="SOURCE",
                        help="an export folder (JSON) or a .zexp file")
    parser.add_argument("--into", default="/", metavar="PATH",
                        help="the folder to import into (default: the site root)")
    parser.add_argument("--name", help="the name of the imported item "
                                       "(default: its exported name)")
    parser.add_argument("--replace", action="store_true",
                        help="when the name is taken, move the existing item "
                             "to the recycle bin first")
    parser.add_argument("--check", action="store_true",
                        help="do the whole import, then undo it: a check that "
                             "writes nothing")


def run(args):
    from ZODB.POSException import ConflictError

    from cupola.catalog import sync_site
    from cupola.content.trash import resolve_path
    from cupola.exceptions import CupolaError
    from cupola.interfaces import IContainer
    source = Path(args.source)
    if not source.exists():
        raise CupolaError(f"{source}: no such file or folder.")
    with site_session(args) as (site, registry, tm):
        sync_site(site, registry)  # indexes added since (the import uses them)
        target = resolve_path(site, args.into)
        if target is None or not IContainer.providedBy(target):
            raise CupolaError(f"There is no folder at {args.into} in the site.")
        started = time.monotonic()
        if source.is_dir():
            names, count = _import_json(registry, target, source, args)
        else:
            from cupola.transfer.zexp import import_zexp
            obj, count = import_zexp(registry, site._p_jar, target, source, args.name,
                                     args.replace, Progress("Importing"))
            names = [obj.__name__]
        what = (f"{count} {'records' if source.is_file() else 'objects'} into "
                f"{args.into}: {', '.join(_join(args.into, n) for n in names)}")
        if args.check:
            tm.abort()
            print(f"Checked: the import of {what} works; nothing was written.")
            return 0
        tm.get().note(f"cupola import {source.name} into {args.into}")
        try:
            tm.commit()
        except ConflictError:
            raise CupolaError("Someone changed the same content while this "
                              "import ran; nothing was imported. Run it again.") from None
        print(f"Imported {what} in {time.monotonic() - started:.1f} s.")


def _join(folder, name):
    return f"{folder.rstrip('/')}/{name}"


def _import_json(registry, target, source, args):
    from cupola.transfer import load_export, read_export
    export = read_export(registry, source, Progress("Checking"))
    added = load_export(registry, target, export, name=args.name,
                        replace=args.replace, progress=Progress("Importing"))
    return [obj.__name__ for obj in added], export.count
