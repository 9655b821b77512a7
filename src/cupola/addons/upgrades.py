"""Upgrade steps: bringing a site's stored data up to the code's schema.

Cupola ("cupola") and each add-on have a schema version, a whole number:
the highest of what they declare (``schema_version=``, ``set_schema_version``)
and the ``to_version`` of their steps. A site records the version its data
is at (``cupola.addons.sites``); the steps between the two are pending.
Each step runs in its own transaction, which also records the new version,
so an interrupted upgrade resumes where it stopped.
"""

import logging
from dataclasses import dataclass

import transaction

from cupola.addons.declaration import CORE
from cupola.addons.sites import installed_versions, site_scope, store_versions
from cupola.exceptions import AddonError, ConfigurationError

log = logging.getLogger("cupola.upgrade")


@dataclass(frozen=True)
class UpgradeStep:
    package: str        # "cupola" or an add-on's name
    from_version: int
    to_version: int
    handler: object     # handler(site, registry)
    title: str
    origin: str = "?"

    @property
    def label(self):
        return f"{self.package} {self.from_version} → {self.to_version}: {self.title}"


def add_upgrade_step(config, package, from_version, to_version, handler, title=None):
    from cupola.registry import _caller_origin, resolve
    origin = _caller_origin(3)
    for value in (from_version, to_version):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigurationError(
                f"upgrade step of {package!r} ({origin}): versions are whole "
                f"numbers >= 1, not {value!r}")
    if to_version <= from_version:
        raise ConfigurationError(
            f"upgrade step of {package!r} ({origin}) goes from {from_version} "
            f"to {to_version}: it must go up")
    handler = resolve(handler)
    if not callable(handler):
        raise ConfigurationError(f"upgrade step {origin}: {handler!r} is not callable")
    key = ("upgrade-step", package, from_version, to_version)
    config._claim(key, origin, False)
    title = title or (handler.__doc__ or "").strip().split("\n")[0] \
        or getattr(handler, "__name__", "upgrade")
    step = UpgradeStep(package, from_version, to_version, handler, title, origin)
    config.registry.upgrade_steps.setdefault(package, []).append(step)
    versions = config.registry.schema_versions
    versions[package] = max(versions.get(package, 1), to_version)
    return step


def set_schema_version(config, package, version):
    if not isinstance(version, int) or version < 1:
        raise ConfigurationError(f"schema version of {package!r} must be a whole number >= 1")
    versions = config.registry.schema_versions
    versions[package] = max(versions.get(package, 1), version)


def plan(registry, package, installed):
    """The steps from *installed* to the current version of *package*, in
    order (the longest jump first at each version). Raises AddonError when
    the chain has a gap."""
    target = registry.schema_versions.get(package, 1)
    steps = registry.upgrade_steps.get(package, [])
    if installed > target:
        raise AddonError(
            f"{package}: the site's data is at version {installed}, newer "
            f"than the installed code (version {target}); install the newer code.")
    chain, at = [], installed
    while at < target:
        here = [s for s in steps if s.from_version == at and s.to_version <= target]
        if not here:
            raise AddonError(
                f"{package}: no upgrade step from version {at} "
                f"(the code is at version {target}).")
        step = max(here, key=lambda s: s.to_version)
        chain.append(step)
        at = step.to_version
    return chain


def pending(registry, site):
    """Every pending step of *site*: Cupola's first, then each active
    add-on's (dependencies first). Raises AddonError on a gap."""
    from cupola.addons.declaration import ordered
    versions = installed_versions(site)
    packages = [CORE] + [a.name for a in reversed(ordered(
        [registry.addons[n] for n in versions if n in registry.addons]))]
    steps = []
    for package in packages:
        steps += plan(registry, package, versions.get(package, 1))
    return steps


def warn_pending(site, registry):
    """Log, at start-up, the upgrade steps *site* waits for (a warning when
    Cupola's own are among them: the site refuses changes until they run)."""
    try:
        steps = pending(registry, site)
    except AddonError as e:
        log.error("the site's data cannot be upgraded: %s", e)
        return
    if not steps:
        return
    core = any(step.package == CORE for step in steps)
    log.log(logging.WARNING if core else logging.INFO,
            "%d upgrade step(s) pending (%s): run `cupola upgrade`%s",
            len(steps), "; ".join(step.label for step in steps),
            "; until then the site refuses changes" if core else "")


def run_upgrades(db, registry, progress=None, echo=None):
    """Run every pending step of the site in *db*, each in its own
    transaction. *progress(done, total)* after each; *echo(text)* names
    each step. Returns the steps run. A failing step is aborted and raised
    (as AddonError naming it); the steps before it stay committed."""
    from cupola.db.bootstrap import get_site
    from cupola.registry import pop_registry, push_registry
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    push_registry(registry)
    done = []
    try:
        tm.begin()
        steps = pending(registry, get_site(conn))
        tm.abort()
        for step in steps:
            if echo is not None:
                echo(step.label)
            tm.begin()
            site = get_site(conn)
            at = installed_versions(site).get(step.package, 1)
            if at != step.from_version:  # someone else ran it meanwhile
                tm.abort()
                continue
            try:
                with site_scope(registry, site):
                    step.handler(site, registry)
                versions = dict(installed_versions(site))
                versions[step.package] = step.to_version
                store_versions(site, versions)
                tm.get().note(f"Upgrade {step.label}")
                tm.commit()
            except Exception as e:
                tm.abort()
                log.exception("upgrade step failed: %s", step.label)
                raise AddonError(f"Upgrade step {step.label} ({step.origin}) "
                                 f"failed: {e}") from e
            done.append(step)
            if progress is not None:
                progress(len(done), len(steps))
    finally:
        pop_registry()
        tm.abort()
        conn.close()
    return done
