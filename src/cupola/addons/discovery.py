"""Finding add-ons: the ``cupola.addons`` entry point group and the
``addons`` setting, each included through ``Configurator.include_addon``."""

from importlib.metadata import entry_points

GROUP = "cupola.addons"


def _as_bool(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def discover(settings):
    """[(name, target, distribution)] of the add-ons to include: those named
    in the ``addons`` setting (dotted names, in order), then every entry
    point of the group unless ``discover_addons = false``."""
    found, targets = [], set()
    for target in (settings.get("addons") or "").replace(",", " ").split():
        name = target.split(":")[0].split(".")[-1]
        found.append((name, target, None))
        targets.add(target)
    if _as_bool(settings.get("discover_addons", "true")):
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            if ep.value not in targets:
                found.append((ep.name, ep.value, getattr(ep, "dist", None)))
                targets.add(ep.value)
    return found


def include_addons(config, settings):
    """Include every discovered add-on into *config*."""
    for name, target, dist in discover(settings):
        config.include_addon(target, name, dist)
