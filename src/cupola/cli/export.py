"""Export a subtree of the site: JSON plus files (readable and diffable,
one folder per object), or a ZODB export (.zexp) for an exact copy."""

import os
import shutil
import time
from pathlib import Path

from cupola.cli.options import Progress, add_db_options, settings_from, site_session
from cupola.cli.sizes import size_text


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("path", metavar="PATH",
                        help="what to export: a path in the site, e.g. /news")
    parser.add_argument("output", metavar="OUTPUT",
                        help="a new folder (JSON), or a file ending in .zexp")
    parser.add_argument("--format", choices=("json", "zexp"),
                        help="json (default) or zexp (default when OUTPUT "
                             "ends in .zexp)")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier export in OUTPUT (other files "
                             "there, such as .git or a README, stay)")


def run(args):
    from cupola.content.trash import resolve_path
    from cupola.exceptions import CupolaError
    output = Path(args.output)
    fmt = args.format or ("zexp" if output.suffix == ".zexp" else "json")
    _check_output(output, fmt, args.force)
    args.zodb_uri = _read_only(settings_from(args).get("zodb_uri"))
    with site_session(args) as (site, registry, _):
        obj = resolve_path(site, args.path)
        if obj is None:
            raise CupolaError(f"There is nothing at {args.path} in the site.")
        started = time.monotonic()
        if fmt == "zexp":
            from cupola.transfer.zexp import export_zexp
            count = export_zexp(site._p_jar, obj, output, Progress("Exporting"))
            what = f"{count} records"
        else:
            count = _export_json(registry, obj, output)
            what = f"{count} object{'s' if count != 1 else ''}"
        print(f"Exported {what} from {args.path} to {output} "
              f"({size_text(_size(output))}) in {time.monotonic() - started:.1f} s.")


def _read_only(uri):
    """A file:// URI opened read-only: no lock, so a running site can be
    exported (what was committed when the export started)."""
    from cupola.db.storage import normalize_uri
    uri = normalize_uri(uri)
    if uri.startswith("file://") and "read_only=" not in uri:
        uri += "&read_only=1" if "?" in uri else "?read_only=1"
    return uri


def _check_output(output, fmt, force):
    """Refuse, before opening the database, an OUTPUT that would be lost."""
    from cupola.exceptions import CupolaError
    from cupola.transfer.writer import MANIFEST
    if fmt == "zexp":
        if output.is_dir():
            raise CupolaError(f"{output} is a folder; a ZODB export is one file.")
        if output.exists() and not force:
            raise CupolaError(f"{output} exists; choose a new file name, or "
                              "--force to replace it.")
        return
    if output.exists() and not output.is_dir():
        raise CupolaError(f"{output} is a file; a JSON export is a folder.")
    if (output / MANIFEST).is_file() and not force:
        raise CupolaError(f"{output} holds an earlier export; choose a new "
                          "folder, or --force to replace that export.")


def _export_json(registry, obj, output):
    """Export into a fresh folder beside OUTPUT, then put it in place, so an
    error leaves OUTPUT as it was."""
    from cupola.transfer import export_tree
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(f".{output.name}.part-{os.getpid()}")
    try:
        count = export_tree(registry, obj, part, Progress("Exporting"))
        output.mkdir(exist_ok=True)
        earlier = _earlier_export(output)
        for new in part.iterdir():
            if (output / new.name).exists() and output / new.name not in earlier:
                from cupola.exceptions import CupolaError
                raise CupolaError(f"{output / new.name} exists and is not part "
                                  "of an earlier export; move it away.")
        for old in earlier:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        for new in part.iterdir():
            new.rename(output / new.name)
        return count
    finally:
        shutil.rmtree(part, ignore_errors=True)


def _earlier_export(output):
    """The manifest and root folder of an earlier export in *output*; other
    files there (a README, .git) are the user's and stay."""
    import json

    from cupola.transfer.writer import MANIFEST
    manifest = output / MANIFEST
    if not manifest.is_file():
        return []
    try:
        root = json.loads(manifest.read_text(encoding="utf-8")).get("root")
    except ValueError:
        root = None
    found = [manifest]
    if isinstance(root, str) and root and "/" not in root and root not in (".", ".."):
        if (output / root).is_dir():
            found.append(output / root)
    return found


def _size(path):
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()
               and ".git" not in p.parts)
