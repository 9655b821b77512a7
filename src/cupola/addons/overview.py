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
        rows.append(_row(registry, name, info.title, info.description,
                         info.version, active, True,
                         versions.get(name) if active else None, info.depends))
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
