"""Back up the database: repozo for Data.fs (a full backup, then
incremental ones holding only what was added), plus the blob files not yet
backed up, with a manifest. Safe while the site is running."""

from cupola.cli.options import Progress, add_db_options, settings_from
from cupola.cli.sizes import size_text


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("folder", metavar="BACKUP",
                        help="the backup folder (made if missing; keep using "
                             "the same one for incremental backups)")
    parser.add_argument("--full", action="store_true",
                        help="a full backup even when an incremental one would do")
    parser.add_argument("--gzip", action="store_true",
                        help="compress the Data.fs backup files")


def run(args):
    import sys
    import time

    from cupola.db.backups import SourceNotFileStorage, backup, file_storage_paths
    try:
        data_fs, blob_dir = file_storage_paths(settings_from(args).get("zodb_uri"))
    except SourceNotFileStorage as e:
        print(f"cupola backup: {e}", file=sys.stderr)
        return 2
    started = time.monotonic()
    result = backup(data_fs, blob_dir, args.folder, full=args.full,
                    gzip=args.gzip, progress=Progress)
    took = time.monotonic() - started
    if result.kind is None:
        data = "Data.fs had not changed since the last backup"
    else:
        data = (f"{result.kind} backup of {data_fs} ({size_text(result.data_bytes)}) "
                f"as {result.data_file}")
    print(f"Backup {result.stamp} in {args.folder}: {data}; {result.blob_files} new "
          f"blob file{'s' if result.blob_files != 1 else ''} "
          f"({size_text(result.blob_bytes)}); {took:.1f} s.")
