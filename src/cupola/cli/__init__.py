"""The ``cupola`` command: one module per subcommand."""

import argparse
import importlib
import logging
import sys

COMMANDS = {
    "init": ("cupola.cli.init", "create the database, the site and an admin account"),
    "serve": ("cupola.cli.serve", "serve the site with waitress"),
    "fcgi": ("cupola.cli.fcgi", "serve the site over FastCGI (flup) to nginx or Apache"),
    "reindex": ("cupola.cli.reindex", "rebuild the catalog's indexes, with a progress bar"),
    "shell": ("cupola.cli.shell", "an interactive prompt with app, root and transaction"),
    "check": ("cupola.cli.check", "verify the database: structure, references, BTrees, every object loads"),
    "zeo": ("cupola.cli.zeo", "serve the database to several app processes as a ZEO server"),
    "export": ("cupola.cli.export", "export a subtree as JSON plus files, or as a ZODB export (.zexp)"),
    "import": ("cupola.cli.importer", "import an export into a folder of the site"),
    "backup": ("cupola.cli.backup", "back up Data.fs (repozo, full or incremental) and its blobs"),
    "restore": ("cupola.cli.restore", "restore a backup into a new place, as of a time"),
    "pack": ("cupola.cli.pack", "pack the database: drop history older than N days"),
    "addons": ("cupola.cli.addons", "list add-ons; activate or deactivate one for the site"),
    "upgrade": ("cupola.cli.upgrade", "run pending upgrade steps of Cupola and the active add-ons"),
    "create-addon": ("cupola.cli.create_addon", "write a new add-on package: entry point, type, view, template, test"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="cupola", description="Cupola, a content management system on ZODB.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        mod = importlib.import_module(module)
        p = sub.add_parser(name, help=help_text, description=mod.__doc__)
        mod.add_arguments(p)
        p.set_defaults(run=mod.run)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a clear message, not a traceback, for known errors
        from cupola.exceptions import CupolaError
        if isinstance(e, CupolaError) or isinstance(e, OSError):
            print(f"cupola {args.command}: {e}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
