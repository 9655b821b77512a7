"""List the add-ons installed with Cupola and switch them on or off for the site.

  cupola addons [-v]               the add-ons, active or not, with versions
                                   (-v: what each registers, pending upgrades)
  cupola addons activate NAME      run its install step and switch it on
  cupola addons deactivate NAME    run its uninstall step and switch it off
"""

from cupola.cli.options import add_db_options, site_session


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("action", nargs="?", default="list",
                        choices=("list", "activate", "deactivate"),
                        help="list (default), activate or deactivate")
    parser.add_argument("name", nargs="?", metavar="NAME", help="the add-on's name")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="with the list: what each add-on registers, and upgrades")


def run(args):
    from cupola.addons import activate, deactivate
    from cupola.addons.overview import addon_rows
    from cupola.exceptions import CupolaError
    if args.action != "list" and not args.name:
        raise CupolaError(f"say which add-on to {args.action}: cupola addons "
                          f"{args.action} NAME (see cupola addons)")
    with site_session(args) as (site, registry, tm):
        if args.action == "list":
            show(addon_rows(registry, site), args.verbose)
            return 0
        if args.action == "activate":
            done = activate(site, registry, args.name)
            tm.get().note(f"cupola addons activate {args.name}")
            tm.commit()
            for name in done:
                print(f"Activated {registry.addons[name].title} ({name}).")
        else:
            title = getattr(registry.addons.get(args.name), "title", args.name)
            deactivate(site, registry, args.name)
            tm.get().note(f"cupola addons deactivate {args.name}")
            tm.commit()
            print(f"Deactivated {title} ({args.name}); its content is kept.")
        return 0


def show(rows, verbose=False):
    if not rows:
        print("No add-ons are installed (entry point group cupola.addons).")
        return
    width = max(len(r.name) for r in rows)
    for row in rows:
        version = f" {row.version}" if row.version else ""
        print(f"{row.name:<{width}}  {row.status:<22} {row.title}{version}")
        if row.problem:
            print(f"{'':<{width}}  {row.problem}")
        if verbose:
            for kind, value in (row.provides or {}).items():
                shown = value if isinstance(value, int) else ", ".join(value)
                print(f"{'':<{width}}  {kind}: {shown}")
            for step in row.pending:
                print(f"{'':<{width}}  pending: {step.label}")
