"""Verify the database: Data.fs structure, every object loads, references
resolve, BTrees are consistent, blob files are present. Exit status 0 when
all is well, 1 when problems were found (listed with what to do), 2 when
the database could not be opened.

Run it on a FileStorage while no other process has it open (stop the app
or the ZEO server, or check a copy); on zeo:// and postgresql:// it can run
beside the app processes.
"""

import sys

from cupola.cli.options import Progress, add_db_options, settings_from


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="list at most N problems of each kind (default 20)")


def run(args):
    from cupola.db.check import check_database
    from cupola.exceptions import ConfigurationError
    uri = settings_from(args).get("zodb_uri")
    try:
        report = check_database(uri, progress=Progress("Checking objects"))
    except ConfigurationError as e:
        print(f"cupola check: {e}", file=sys.stderr)
        return 2
    for line in report.summary(limit=args.limit):
        print(line)
    return 0 if report.ok else 1
