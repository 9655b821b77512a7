"""Restore a backup made by 'cupola backup' into a new place: Data.fs and
its blob files, as of the latest backup or of a given time (--date).
Every file is checked before anything is put in place."""

from cupola.cli.options import Progress, add_db_options, settings_from
from cupola.cli.sizes import size_text


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("folder", metavar="BACKUP", help="the backup folder")
    parser.add_argument("--date", metavar="WHEN",
                        help="restore the state as of this UTC time "
                             "(2026-11-28T18:40:00Z; default: the latest backup)")
    parser.add_argument("--list", action="store_true",
                        help="list the backups in the folder and restore nothing")
    parser.add_argument("--verify", action="store_true",
                        help="check the newest backup and every blob file, "
                             "restore nothing (exit 1 when broken)")


def run(args):
    import sys
    import time

    from cupola.db.backups import SourceNotFileStorage, file_storage_paths
    from cupola.db.recovery import list_backups, parse_date, restore, verify
    if args.list:
        return _list(args.folder, list_backups(args.folder))
    if args.verify:
        chain, blobs = verify(args.folder, progress=Progress)
        print(f"The backup in {args.folder} is sound: {chain} Data.fs "
              f"file{'s' if chain != 1 else ''} and {blobs} blob files checked.")
        return 0
    try:
        data_fs, blob_dir = file_storage_paths(settings_from(args).get("zodb_uri"),
                                               restoring=True)
    except SourceNotFileStorage as e:
        print(f"cupola restore: {e}", file=sys.stderr)
        return 2
    date = parse_date(args.date) if args.date else None
    started = time.monotonic()
    result = restore(args.folder, data_fs, blob_dir, date, progress=Progress)
    print(f"Restored {data_fs} ({size_text(result.data_bytes)}, the last "
          f"transaction of {_when(result.last_transaction)}) from "
          f"{', '.join(result.chain)} and {result.blob_files} blob "
          f"file{'s' if result.blob_files != 1 else ''}; "
          f"{time.monotonic() - started:.1f} s.")
    print(f"Check it before use: cupola check --zodb-uri file://{data_fs}")


def _list(folder, rows):
    if not rows:
        print(f"{folder} holds no backups.")
        return 1
    print(f"{'backup (UTC)':21} {'kind':12} {'Data.fs part':>14} {'blob files':>10}")
    for stamp, kind, size, blobs in rows:
        print(f"{stamp:21} {kind:12} {size_text(size):>14} {blobs:10}")
    return 0


def _when(tid):
    from datetime import datetime, timezone

    from ZODB.TimeStamp import TimeStamp
    moment = datetime.fromtimestamp(TimeStamp(tid).timeTime(), timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
