"""Per-site activation: which add-ons a site uses, at which schema version.

Stored state, on the site record itself so that reading it costs no object
load beyond the site (which every request loads anyway)::

    site.installed_versions   dict {"cupola": 1, add-on name: schema version}
    site.retired_versions     dict {add-on name: schema version} of the
                              add-ons deactivated here (their data's version)

The dicts are replaced, never changed in place. An add-on is active in a
site when its name is a key of the first; "cupola" is the version of
Cupola's own data. A site made before add-ons existed has no record: it
counts as Cupola at version 1 with nothing active. An add-on activated
again resumes at its retired version, so upgrade steps written meanwhile
are pending for its old data.

For each distinct record the application keeps a ``SiteState``: the active
names, the request layers to mark requests with (in precedence order), and
whether Cupola's data is behind the code. The publisher asks for it once
per request; it is a dict lookup keyed by the record's items.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from zope.interface import alsoProvides
from zope.interface.declarations import Provides

from cupola.addons.declaration import CORE, ordered
from cupola.exceptions import AddonError
from cupola.registry import pop_active_addons, push_active_addons, query_active_addons

ATTR = "installed_versions"
RETIRED = "retired_versions"
LEGACY = {CORE: 1}


def installed_versions(site):
    """{name: installed schema version} of *site* (Cupola's own under "cupola")."""
    versions = getattr(site, ATTR, None)
    return versions if versions is not None else LEGACY


def store_versions(site, versions):
    setattr(site, ATTR, dict(sorted(versions.items())))


@dataclass(frozen=True)
class SiteState:
    """What one activation record means for requests to that site."""

    active: frozenset     # names of active add-ons that are installed here
    missing: tuple        # active in the site, but the package is gone
    layers: tuple         # request layers, the winning add-on's first
    core_installed: int
    core_target: int
    provides: object = field(default=None, compare=False)  # Provides(Request, *layers)

    @property
    def core_behind(self):
        return self.core_installed < self.core_target

    def mark(self, request):
        """Mark *request* with the layers (a cached declaration when the
        request provides nothing directly yet: no work per request)."""
        if not self.layers:
            return
        if self.provides is not None and "__provides__" not in request.__dict__:
            request.__provides__ = self.provides
        else:
            alsoProvides(request, *self.layers)


class SiteStates:
    """SiteState per distinct activation record, computed once each."""

    LIMIT = 256

    def __init__(self, registry):
        self.registry = registry
        self._cache = {}

    def of(self, site):
        versions = getattr(site, ATTR, None)
        key = tuple(versions.items()) if versions else ()
        state = self._cache.get(key)
        if state is None:
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            state = self._cache[key] = self._compute(versions or LEGACY)
        return state

    def _compute(self, versions):
        from cupola.request import Request
        addons = self.registry.addons
        names = [n for n in versions if n != CORE]
        active = [addons[n] for n in names if n in addons]
        layers = tuple(a.layer for a in ordered(active))
        return SiteState(
            active=frozenset(a.name for a in active),
            missing=tuple(sorted(n for n in names if n not in addons)),
            layers=layers,
            core_installed=versions.get(CORE, 1),
            core_target=self.registry.schema_versions.get(CORE, 1),
            provides=Provides(Request, *layers) if layers else None)


def site_state(registry, site):
    """The SiteState of *site* under *registry* (cached per record)."""
    states = getattr(registry, "addon_states", None)
    if states is None:
        states = registry.addon_states = SiteStates(registry)
    return states.of(site)


@contextmanager
def site_scope(registry, site):
    """Make *site*'s active add-ons current for this thread (scripts, tests):
    their types are addable, their templates found, their handlers run."""
    push_active_addons(site_state(registry, site).active)
    try:
        yield
    finally:
        pop_active_addons()


@contextmanager
def _with_active(names):
    push_active_addons(frozenset(names))
    try:
        yield
    finally:
        pop_active_addons()


# -- activation ----------------------------------------------------------------

def get_addon(registry, name):
    info = registry.addons.get(name)
    if info is None:
        known = ", ".join(sorted(registry.addons)) or "none"
        raise AddonError(f"No add-on {name!r} is installed (installed: {known}).")
    return info


def activate(site, registry, name):
    """Activate add-on *name* in *site*, its dependencies first, running each
    one's install step. Returns the names activated, in order. Raises
    AddonError when it is unknown or already active. The caller commits.

    An add-on activated before resumes at the schema version its data had
    when it was deactivated (its install step runs again, so write it to
    be repeatable); newer steps are then pending."""
    info = get_addon(registry, name)
    if name in installed_versions(site):
        raise AddonError(f"{info.title} is already active on this site.")
    done = []
    for dep in info.depends:
        if dep not in installed_versions(site):
            done += activate(site, registry, dep)
    versions = dict(installed_versions(site))
    retired = dict(getattr(site, RETIRED, None) or {})
    versions[name] = retired.pop(name, None) or registry.schema_versions.get(
        name, info.schema_version)
    store_versions(site, versions)
    if getattr(site, RETIRED, None):
        setattr(site, RETIRED, retired)
    with _with_active(n for n in versions if n != CORE):
        if info.install is not None:
            info.install(site, registry)
        _sync_catalog(site, registry)
    done.append(name)
    return done


def deactivate(site, registry, name):
    """Run the add-on's uninstall step and take it off *site*'s record.

    Its content stays (shown by the core views, or as placeholders once the
    package is gone). Refused while another active add-on depends on it.
    An add-on whose package was removed can still be deactivated.
    """
    versions = installed_versions(site)
    info = registry.addons.get(name)
    title = info.title if info is not None else name
    if name not in versions or name == CORE:
        raise AddonError(f"{title} is not active on this site.")
    needed_by = sorted(a.title for n, a in registry.addons.items()
                       if n in versions and name in a.depends)
    if needed_by:
        raise AddonError(f"{title} is needed by {', '.join(needed_by)}: "
                         "deactivate those first.")
    if info is not None and info.uninstall is not None:
        with _with_active(n for n in versions if n != CORE):
            info.uninstall(site, registry)
    versions = dict(installed_versions(site))
    setattr(site, RETIRED, {**(getattr(site, RETIRED, None) or {}),
                            name: versions.pop(name)})
    store_versions(site, versions)


def initialize_site(site, registry):
    """A new site: record Cupola's current version and activate the add-ons
    named in the ``activate_addons`` setting (space or comma separated)."""
    store_versions(site, {**installed_versions(site),
                          CORE: registry.schema_versions.get(CORE, 1)})
    names = (registry.settings.get("activate_addons") or "").replace(",", " ").split()
    if not names:
        return
    from cupola.registry import pop_registry, push_registry
    push_registry(registry)  # the add-ons' install steps fire events
    try:
        for name in names:
            if name not in installed_versions(site):
                activate(site, registry, name)
    finally:
        pop_registry()


def _sync_catalog(site, registry):
    """Index what the install step added, and create indexes the catalog lacks."""
    catalog = getattr(site, "catalog", None)
    if catalog is not None:
        from cupola.catalog import sync_site
        from cupola.catalog.queue import flush_pending
        flush_pending(catalog)  # a new site is not stored yet: index now
        sync_site(site, registry)


# -- events ----------------------------------------------------------------------

def addon_active_for(name, args):
    """Whether add-on *name* is active where the event (*args* of a handler)
    happens: in the request's site, else in the site above the object."""
    active = query_active_addons()
    if active is not None:
        return name in active
    site = _site_of_event(args)
    return site is None or name in installed_versions(site)


def _site_of_event(args):
    event = args[-1]
    candidates = [args[0]] if len(args) > 1 else []
    candidates += [getattr(event, a, None) for a in
                   ("object", "newParent", "oldParent", "parent")]
    for obj in candidates:
        node, steps = obj, 0
        while node is not None and steps < 1000:
            parent = getattr(node, "__parent__", None)
            if parent is None:
                if getattr(node, "type_name", None) == "Site":
                    return node
                break
            node, steps = parent, steps + 1
    return None
