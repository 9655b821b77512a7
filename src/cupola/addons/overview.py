"""The add-ons of an application as a site sees them: for ``cupola addons``
and the ``@@addons`` screen."""

from dataclasses import dataclass

from cupola.addons.declaration import CORE
from cupola.addons.sites import installed_versions
from cupola.addons.upgrades import plan
from cupola.exceptions import AddonError


@dataclass
class AddonRow:
    name: str
    title: str
    description: str
    version: str            # the distribution's version, for people
    active: bool
    installed: bool         # False: active in the site, but the package is gone
    schema_installed: int   # None when not active
    schema_current: int
    pending: list           # [UpgradeStep] when active
    problem: str = ""       # why upgrades cannot run (a gap in the steps)
    depends: tuple = ()
    provides: dict = None   # {"types": [...], "views": [...], ...}, see registrations()

    @property
    def status(self):
        if not self.installed:
            return "package missing"
        if not self.active:
            return "inactive"
        if self.problem:
            return "upgrade blocked"
        return f"{len(self.pending)} upgrade(s) pending" if self.pending else "active"


def core_row(registry, site):
    """Cupola's own data: its version and pending steps."""
    import cupola
    versions = installed_versions(site)
    return _row(registry, CORE, "Cupola", "The content management system.",
                cupola.__version__, True, True, versions.get(CORE, 1))


def addon_rows(registry, site):
    """One AddonRow per add-on installed in the environment or active in
    the site, active ones first, then by title."""
    versions = installed_versions(site)
    rows = []
    for name, info in registry.addons.items():
        active = name in versions
        row = _row(registry, name, info.title, info.description, info.version,
                   active, True, versions.get(name) if active else None, info.depends)
        row.provides = registrations(registry, name)
        rows.append(row)
    for name in versions:
        if name != CORE and name not in registry.addons:
            rows.append(AddonRow(name, name, "", "", True, False, versions[name],
                                 versions[name], []))
    rows.sort(key=lambda r: (not r.active, r.title.lower()))
    return rows


def _row(registry, name, title, description, version, active, installed,
         at, depends=()):
    current = registry.schema_versions.get(name, 1)
    pending, problem = [], ""
    if active and at is not None:
        try:
            pending = plan(registry, name, at)
        except AddonError as e:
            problem = str(e)
    return AddonRow(name, title, description, version, active, installed, at,
                    current, pending, problem, tuple(depends))


def registrations(registry, name):
    """What add-on *name* registered, by kind: {"types": [type names],
    "views": ["@@name on IContext"], "skin layers": [...], "handlers": n,
    "upgrade steps": n}; kinds it has none of are left out."""
    info = registry.addons.get(name)
    found = {
        "types": [t.title for t in registry.types.values() if t.addon == name],
        "views": sorted({f"{v.name or 'view'} on {_spec_name(ctx)}"
                         for ctx, layer, v in registry.views
                         if info is not None and layer is info.layer}),
        "skin layers": [n for n, owner in registry.skin_layer_addons.items()
                        if owner == name],
        "handlers": sum(1 for reg in registry.registeredHandlers()
                        if getattr(reg.factory, "cupola_addon", None) == name),
        "upgrade steps": len(registry.upgrade_steps.get(name, ())),
    }
    return {kind: value for kind, value in found.items() if value}


def _spec_name(spec):
    return getattr(spec, "__name__", None) or getattr(
        getattr(spec, "inherit", None), "__name__", repr(spec))
