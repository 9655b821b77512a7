"""Declaring add-ons: ``config.add_addon`` and what its registrations carry.

An add-on is a package whose ``includeme(config)`` first calls
``config.add_addon(name, ...)``. Everything it registers afterwards (in the
same include and the includes it makes) belongs to it: views and exception
views go on its request layer, content types, skin layers and event
handlers are marked with its name, so that each takes effect only in the
sites where the add-on is active (see ``cupola.addons.sites``).
"""

import re
import sys
from dataclasses import dataclass, field

from zope.interface.interface import InterfaceClass

from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.interfaces import IDefaultLayer

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CORE = "cupola"  # the name under which Cupola's own schema version is kept


@dataclass(eq=False)
class AddonInfo:
    """What an add-on declared about itself (see ``add_addon``)."""

    name: str
    title: str = ""
    description: str = ""
    version: str = ""
    layer: object = None
    install: object = None      # install(site, registry), run on activation
    uninstall: object = None    # uninstall(site, registry), on deactivation
    depends: tuple = ()         # add-ons that must be active first
    overrides: tuple = ()       # add-ons whose registrations this one may replace
    schema_version: int = 1
    origin: str = "?"
    package: str = ""
    declared: bool = True       # False: made up from the entry point alone
    used: bool = field(default=False, repr=False)  # registrations made for it

    def __post_init__(self):
        self.title = self.title or self.name

    def wins_over(self, other):
        """Whether this add-on may replace *other*'s registrations."""
        return other.name in self.depends or other.name in self.overrides


def add_addon(config, name, title=None, description="", version=None,
              layer=None, install=None, uninstall=None, depends=(),
              overrides=(), schema_version=1, origin=None):
    """Declare the add-on whose ``includeme`` is running (see the Configurator)."""
    if not isinstance(name, str) or not NAME.match(name) or name == CORE:
        raise ConfigurationError(
            f"add-on name {name!r}: use lower case letters, digits and _ "
            f"(starting with a letter), and not {CORE!r}")
    current = config.addon
    if current is not None and not current.declared:
        if current.used:
            raise ConfigurationError(
                f"add-on {name!r}: call config.add_addon() first in includeme, "
                "before registering anything")
        info = current  # the entry point's placeholder becomes the real one
        info.name, info.declared = name, True
    else:
        info = AddonInfo(name)
    info.title = title or name
    info.description = description
    info.version = str(version) if version is not None else info.version
    info.install, info.uninstall = _callable(install), _callable(uninstall)
    info.depends, info.overrides = _names(depends), _names(overrides)
    if not isinstance(schema_version, int) or schema_version < 1:
        raise ConfigurationError(
            f"add-on {name!r}: schema_version must be a whole number >= 1")
    info.schema_version = schema_version
    info.origin = origin or _caller_origin()
    info.package = info.package or _caller_package()
    if layer is not None and not isinstance(layer, InterfaceClass):
        raise ConfigurationError(f"add-on {name!r}: layer must be an interface")
    info.layer = layer or make_layer(name, info.package)
    register_addon(config, info)
    config.addon = info
    return info


def register_addon(config, info):
    """Record *info* in the registry under its name; two of one name conflict."""
    addons = config.registry.addons
    first = addons.get(info.name)
    if first is not None and first is not info:
        raise ConfigurationConflict(("addon", info.name), first.origin, info.origin)
    addons[info.name] = info
    config.registry.schema_versions[info.name] = max(
        info.schema_version, config.registry.schema_versions.get(info.name, 1))


def placeholder(name, dist=None, package=""):
    """An undeclared add-on found through its entry point *name*."""
    meta = getattr(dist, "metadata", None)
    info = AddonInfo(
        name=name, title=(meta["Name"] if meta else "") or name,
        description=(meta["Summary"] if meta else "") or "",
        version=getattr(dist, "version", "") or "", package=package,
        declared=False, origin=f"entry point {name!r}")
    info.layer = make_layer(name, package)
    return info


def make_layer(name, module):
    """The request layer of add-on *name*: ``I<Name>Layer(IDefaultLayer)``."""
    camel = "".join(part.capitalize() for part in name.split("_"))
    return InterfaceClass(f"I{camel}Layer", (IDefaultLayer,),
                          __doc__=f"Requests to sites where {name} is active.",
                          __module__=module or __name__)


def scoped_layer(config, layer):
    """The layer a view is registered for: the add-on's unless one is given."""
    addon = config.addon
    if addon is not None:
        addon.used = True
    if layer is not None:
        return layer
    return addon.layer if addon is not None else IDefaultLayer


def claim_addon_view(config, key, origin, override):
    """Two add-ons registering the same view (context, name, method) on
    their own layers conflict, unless one depends on or overrides the other
    (that one wins where both are active) or the second says override=True."""
    addon = config.addon
    claims = config.registry.addon_claims  # {key: (AddonInfo, origin)}
    held = claims.get(key)
    if held is None or held[0] is addon:
        claims[key] = (addon, origin)
        return
    holder, first = held
    if override or addon.wins_over(holder):
        claims[key] = (addon, origin)
    elif not holder.wins_over(addon):
        raise ConfigurationConflict(
            key, f"{first} (add-on {holder.name})", f"{origin} (add-on {addon.name})")


def guard_handler(addon, handler):
    """*handler*, called only when *addon* is active where the event happens."""
    from cupola.addons.sites import addon_active_for

    def guarded(*args):
        if addon_active_for(addon.name, args):
            return handler(*args)
        return None

    guarded.__wrapped__ = handler
    guarded.__name__ = getattr(handler, "__name__", "handler")
    guarded.cupola_addon = addon.name
    return guarded


def ordered(addons):
    """*addons* with those that win over others first (dependents before
    what they depend on), then by name: the order of request layers."""
    by_name = {a.name: a for a in addons}
    depth = {}

    def depth_of(info, seen=()):
        if info.name in depth:
            return depth[info.name]
        below = [by_name[n] for n in info.depends + info.overrides
                 if n in by_name and n not in seen]
        value = 1 + max((depth_of(b, seen + (info.name,)) for b in below), default=0)
        depth[info.name] = value
        return value

    return sorted(addons, key=lambda a: (-depth_of(a), a.name))


def check_dependencies(registry):
    """Every ``depends`` names a known add-on and there is no cycle."""
    addons = registry.addons
    for info in addons.values():
        for dep in info.depends:
            if dep not in addons:
                raise ConfigurationError(
                    f"add-on {info.name!r} ({info.origin}) depends on {dep!r}, "
                    "which is not installed")
    for info in addons.values():
        stack, seen = list(info.depends), set()
        while stack:
            name = stack.pop()
            if name == info.name:
                raise ConfigurationError(
                    f"add-on {info.name!r} depends on itself (through {sorted(seen)})")
            if name not in seen:
                seen.add(name)
                stack.extend(addons[name].depends)


def order_skin_layers(registry):
    """Put add-on skin layers first, in request-layer order, so that an
    add-on that overrides another finds its own templates first."""
    owners = registry.skin_layer_addons
    if not owners:
        return
    rank = {a.name: i for i, a in enumerate(ordered(list(registry.addons.values())))}
    layers = registry.skin_layers
    mine = [item for item in layers if item[0] in owners]
    mine.sort(key=lambda item: rank.get(owners[item[0]], len(rank)))
    rest = [item for item in layers if item[0] not in owners]
    layers[:] = mine + rest
    warn_template_clashes(registry, mine)


def warn_template_clashes(registry, layers):
    """Log templates that two unrelated add-ons both ship: where both are
    active, the first layer's wins, which neither may expect."""
    import logging
    import os
    owners, addons = registry.skin_layer_addons, registry.addons
    seen = {}  # {template name: (add-on, path)}
    for name, root in layers:
        owner = addons.get(owners[name])
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "static" and not d.startswith(".")]
            for file in files:
                if not file.endswith(".pt"):
                    continue
                path = os.path.join(folder, file)
                key = os.path.relpath(path, root)
                first = seen.setdefault(key, (owner, path))
                if first[0] is owner or owner is None or first[0] is None:
                    continue
                if not (first[0].wins_over(owner) or owner.wins_over(first[0])):
                    logging.getLogger("cupola.addons").warning(
                        "add-ons %s and %s both ship the template %s (%s, %s): "
                        "where both are active, %s's is used; declare "
                        "overrides= to make that the intent",
                        first[0].name, owner.name, key, first[1], path, first[0].name)


def _callable(target):
    if target is None:
        return None
    from cupola.registry import resolve
    target = resolve(target)
    if not callable(target):
        raise ConfigurationError(f"{target!r} is not callable")
    return target


def _names(value):
    if isinstance(value, str):
        value = (value,)
    return tuple(value or ())


def _caller_origin():
    frame = _caller_frame()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _caller_package():
    return _caller_frame().f_globals.get("__name__", "")


def _caller_frame():
    """The first frame outside this module and the registry."""
    import cupola.registry
    skip = (__file__, cupola.registry.__file__)
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename in skip:
        frame = frame.f_back
    return frame
