"""The component registry of one application and the Configurator that fills it.

Core and add-ons register through the same calls: ``add_view``,
``add_content_type``, ``add_skin_layer``, ``add_subscriber``,
``add_permission``.  Two registrations of one key fail at start-up naming
both places, unless the second says ``override=True``.
"""

import importlib
import sys

from zope.interface import Interface, implementedBy, providedBy
from zope.interface.interface import InterfaceClass
from zope.interface.registry import Components

from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.interfaces import (IDefaultLayer, IPermission, IRequest,
                               ITraversable, ITypeInfo, IViewRegistration)

from cupola.current import (pop_active_addons, pop_registry,  # noqa: F401
                            push_active_addons, push_registry,
                            query_active_addons, query_current_registry,
                            type_available)
from cupola.records import Permission, TypeInfo, ViewEntry, ViewInfo  # noqa: F401

SAFE_METHODS = ("GET", "HEAD")


class Registry(Components):
    """One application's components: views, types, permissions, handlers."""

    def __init__(self, name="cupola", settings=None):
        super().__init__(name)
        self.settings = dict(settings or {})
        self.types = {}          # {type name: TypeInfo}, in registration order
        self.permissions = {}    # {name: Permission}
        self.skin_layers = []    # [(name, path)], first wins
        self.skins = None        # cupola.skins.Skins, set by make_app
        self.page_factory = None  # page helper for templates (cupola.views)
        self.views = []          # [(context spec, layer spec, ViewInfo)], for audits
        self.catalog_indexes = {}  # {name: IndexDefinition}, see cupola.catalog
        self.catalog_columns = {}  # {name: ColumnDefinition}
        self.addons = {}         # {name: AddonInfo}, see cupola.addons
        self.schema_versions = {}  # {"cupola" or add-on name: current schema version}
        self.upgrade_steps = {}  # {"cupola" or add-on name: [UpgradeStep]}
        self.skin_layer_addons = {}  # {skin layer name: add-on name}
        self.addon_claims = {}   # {view key: (AddonInfo, origin)} across add-ons
        self._origins = {}       # {key: origin} for conflict reports

    # -- lookups used on every request (kept short) --

    def query_view(self, context, request, name):
        return self.adapters.lookup(
            (providedBy(context), providedBy(request)), IViewRegistration, name)

    def query_exception_view(self, exc, request):
        return self.adapters.lookup(
            (providedBy(exc), providedBy(request)), IViewRegistration,
            "exception")

    def query_traverser(self, context):
        factory = self.adapters.lookup((providedBy(context),), ITraversable)
        return factory(context) if factory is not None else None

    def get_type(self, name):
        return self.types[name]

    def notify(self, event):
        """Call every handler registered for the event (and its object)."""
        obj = getattr(event, "object", None)
        if obj is not None:
            self.subscribers((obj, event), None)
        self.subscribers((event,), None)


# -- the Configurator -------------------------------------------------------

def _caller_origin(depth=2):
    frame = sys._getframe(depth)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _as_spec(obj):
    """Interface for a registration: interfaces pass, classes give implementedBy."""
    if obj is None:
        return Interface
    if isinstance(obj, InterfaceClass):
        return obj
    if isinstance(obj, type):
        return implementedBy(obj)
    raise ConfigurationError(f"not an interface or class: {obj!r}")


def _key(spec):
    return getattr(spec, "__identifier__", None) or repr(spec)


def resolve(dotted):
    """Import 'package.module:attr' or 'package.module.attr'."""
    if not isinstance(dotted, str):
        return dotted
    if ":" in dotted:
        module, attr = dotted.split(":", 1)
    else:
        module, _, attr = dotted.rpartition(".")
    try:
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise ConfigurationError(f"cannot import {dotted!r}: {e}") from e
    return obj


class Configurator:
    """The calls through which core and add-ons register components."""

    def __init__(self, registry=None, settings=None, package=None):
        self.registry = registry or Registry(settings=settings)
        if settings and registry is not None:
            self.registry.settings.update(settings)
        self.package = package
        self.addon = None  # the AddonInfo whose includeme is running
        self._included = set()

    @property
    def settings(self):
        return self.registry.settings

    def include(self, target):
        """Run ``includeme(config)`` of a module, dotted name or callable."""
        if isinstance(target, str):
            module = importlib.import_module(target.split(":")[0])
            func = getattr(module, "includeme", None) if ":" not in target \
                else resolve(target)
        elif callable(target) and not hasattr(target, "includeme"):
            func = target
        else:
            func = getattr(target, "includeme", None)
        if func is None:
            raise ConfigurationError(f"{target!r} has no includeme(config)")
        key = (getattr(func, "__module__", None), getattr(func, "__qualname__", repr(func)))
        if key in self._included:
            return
        self._included.add(key)
        addon = self.addon
        try:
            func(self)
        finally:
            self.addon = addon

    def include_addon(self, target, name, dist=None):
        """Include an add-on found through its entry point *name*.

        Its ``includeme`` should call ``add_addon`` first; one that does not
        is declared from the entry point (name, distribution metadata).
        """
        from cupola.addons.declaration import placeholder, register_addon
        module = target if isinstance(target, str) else target.__module__
        try:
            func = (resolve(target) if ":" in str(target) else
                    importlib.import_module(target) if isinstance(target, str) else target)
        except (ImportError, ConfigurationError) as e:
            source = (f"entry point of {dist.metadata['Name']} {dist.version}"
                      if dist is not None else "addons setting")
            raise ConfigurationError(
                f"add-on {name!r} ({target}, from the {source}) cannot be "
                f"imported: {e}. Reinstall it or remove it; the setting "
                "discover_addons = false skips every entry point.") from e
        before = self.addon
        self.addon = info = placeholder(name, dist, module.split(":")[0].split(".")[0])
        try:
            self.include(func)
        finally:
            self.addon = before
        if not info.declared and info.used:
            register_addon(self, info)

    def add_addon(self, name, title=None, description="", version=None,
                  layer=None, install=None, uninstall=None, depends=(),
                  overrides=(), schema_version=1):
        """Declare the add-on whose ``includeme`` is running; call it first.

        What the add-on registers afterwards takes effect only in sites
        where it is active (see docs/addons.md).
        """
        from cupola.addons.declaration import add_addon
        return add_addon(self, name, title, description, version, layer,
                         install, uninstall, depends, overrides, schema_version)

    def add_upgrade_step(self, package, from_version, to_version, handler,
                         title=None):
        """Register ``handler(site, registry)`` bringing *package*'s data
        ("cupola" or an add-on's name) from one schema version to the next."""
        from cupola.addons.upgrades import add_upgrade_step
        return add_upgrade_step(self, package, from_version, to_version,
                                handler, title)

    def set_schema_version(self, package, version):
        """Declare the current schema version of *package* ("cupola" for the core)."""
        from cupola.addons.upgrades import set_schema_version
        return set_schema_version(self, package, version)

    def _claim(self, key, origin, override):
        first = self.registry._origins.get(key)
        if first is not None and not override:
            raise ConfigurationConflict(key, first, origin)
        self.registry._origins[key] = origin

    # -- views --

    def add_view(self, view, name="", context=None, permission=None,
                 template=None, layer=None, request_method=SAFE_METHODS,
                 attr=None, csrf=True, conditional=False, accepts_subpath=False,
                 override=False, upgrade_safe=False):
        """Register *view* for (context, layer, name), answering request_method.

        *permission* is required: every view says who may call it. The
        layer defaults to the add-on's own layer inside an add-on, else
        IDefaultLayer. *upgrade_safe* views answer POSTs even while the
        site's data waits for an upgrade (login, the upgrade screen).
        """
        if not permission:
            raise ConfigurationError(
                f"view {name!r} for {context!r} declares no permission")
        view = resolve(view)
        methods = ((request_method,) if isinstance(request_method, str)
                   else tuple(request_method))
        if "GET" in methods and "HEAD" not in methods:
            methods += ("HEAD",)
        origin = _caller_origin()
        ctx, lay = _as_spec(context), _as_spec(self._layer(layer))
        info = self.registry.adapters.registered((ctx, lay), IViewRegistration, name)
        if info is None:
            info = ViewInfo(name)  # the record itself is the registered value
            self.registry.adapters.register((ctx, lay), IViewRegistration,
                                            name, info)
            self.registry.views.append((ctx, lay, info))
        info.accepts_subpath = info.accepts_subpath or accepts_subpath
        for method in methods:
            self._claim(("view", _key(ctx), _key(lay), name,
                         method), origin, override)
            if self.addon is not None and layer is None:
                from cupola.addons.declaration import claim_addon_view
                claim_addon_view(self, ("addon-view", _key(ctx), name, method),
                                 origin, override)
            info.methods[method] = ViewEntry(view, permission, template, attr,
                                             origin, csrf, conditional,
                                             upgrade_safe)
        return info

    def _layer(self, layer, default=IDefaultLayer):
        if self.addon is None:
            return default if layer is None else layer
        from cupola.addons.declaration import scoped_layer
        return scoped_layer(self, layer)

    def add_exception_view(self, view, context=Exception, template=None,
                           layer=None, override=False):
        """Register the page shown when *context* (an exception class) is raised."""
        origin = _caller_origin()
        ctx, lay = _as_spec(context), _as_spec(self._layer(layer, IRequest))
        self._claim(("exception-view", _key(ctx), _key(lay)),
                    origin, override)
        info = ViewInfo("exception")
        info.methods["*"] = ViewEntry(resolve(view), "cupola.Public", template,
                                      None, origin)
        self.registry.adapters.register((ctx, lay), IViewRegistration,
                                        "exception", info)

    def add_traverser(self, factory, context, override=False):
        """Register an ITraversable adapter factory for *context*."""
        self._claim(("traverser", _key(_as_spec(context))),
                    _caller_origin(), override)
        self.registry.registerAdapter(resolve(factory), (_as_spec(context),),
                                      ITraversable)

    # -- content types --

    def add_content_type(self, name, factory, schema, title=None,
                         add_permission=None, allowed_children=None,
                         default_view="view", addable=True, description="",
                         icon="document", override=False, addable_in=()):
        """Register a content type: how to make one, its fields and rules.

        *addable_in* names container types that get it as an allowed child
        (an add-on's type in "Folder" and "Site", say).
        """
        self._claim(("content-type", name), _caller_origin(), override)
        if self.addon is not None:
            self.addon.used = True
        info = TypeInfo(
            name=name, factory=resolve(factory), schema=resolve(schema),
            title=title or name,
            add_permission=add_permission or "cupola.AddContent",
            allowed_children=(None if allowed_children is None
                              else tuple(allowed_children)),
            default_view=default_view, addable=addable,
            description=description, icon=icon,
            addon=self.addon.name if self.addon is not None else None)
        self.registry.types[name] = info
        self.registry.registerUtility(info, ITypeInfo, name)
        for container in ([addable_in] if isinstance(addable_in, str) else addable_in):
            self.allow_children(container, name)
        return info

    def allow_children(self, container_type, *type_names):
        """Let *type_names* be added inside content of *container_type*."""
        info = self.registry.types.get(container_type)
        if info is None:
            raise ConfigurationError(f"no content type {container_type!r} "
                                     f"(known: {', '.join(self.registry.types)})")
        if info.allowed_children is not None:
            info.allowed_children += tuple(
                n for n in type_names if n not in info.allowed_children)

    # -- permissions --

    def add_permission(self, name, title=None, override=False, roles=None):
        """Register permission *name*; *roles* hold it by default (where no
        workflow state manages it), else only Managers do."""
        self._claim(("permission", name), _caller_origin(), override)
        perm = Permission(name, title or name,
                          frozenset(roles) if roles is not None else None)
        self.registry.permissions[name] = perm
        self.registry.registerUtility(perm, IPermission, name)
        return perm

    # -- skins --

    def add_skin_layer(self, name, path, before=None):
        """Add a folder of templates and static files as skin layer *name*.

        Layers added later are searched first (an add-on overrides the core)
        unless *before* names the layer to insert in front of.
        """
        import os
        self._claim(("skin-layer", name), _caller_origin(), False)
        if self.addon is not None:
            self.addon.used = True
            self.registry.skin_layer_addons[name] = self.addon.name
        path = os.path.abspath(str(path))
        if not os.path.isdir(path):
            raise ConfigurationError(f"skin layer {name!r}: no folder {path}")
        layers = self.registry.skin_layers
        if before is None:
            layers.insert(0, (name, path))
        else:
            names = [n for n, _ in layers]
            if before not in names:
                raise ConfigurationError(f"no skin layer {before!r}")
            layers.insert(names.index(before), (name, path))

    # -- events --

    def add_subscriber(self, handler, *interfaces):
        """Call *handler* for events providing *interfaces*.

        With two interfaces (object interface, event interface) the handler
        is called as ``handler(obj, event)`` for object events.
        """
        specs = tuple(_as_spec(i) for i in interfaces) or (Interface,)
        handler = resolve(handler)
        if self.addon is not None:
            from cupola.addons.declaration import guard_handler
            self.addon.used = True
            handler = guard_handler(self.addon, handler)
        self.registry.registerHandler(handler, specs)

    # -- workflows (see cupola.workflow) --

    def add_workflow(self, workflow, override=False):
        """Register a workflow (a cupola.workflow.model.Workflow)."""
        from cupola.workflow import add_workflow
        return add_workflow(self, workflow, override=override)

    def set_workflow(self, type_name, workflow_name, override=False):
        """Use workflow *workflow_name* for content of type *type_name*."""
        from cupola.workflow import set_workflow
        return set_workflow(self, type_name, workflow_name, override=override)

    # -- catalog (see cupola.catalog) --

    def add_catalog_index(self, name, kind, getter, override=False):
        """Index ``getter(obj, registry)`` as *kind* (field, keyword, text)."""
        from cupola.catalog.config import add_catalog_index
        return add_catalog_index(self, name, kind, getter, override=override)

    def add_catalog_column(self, name, getter, override=False):
        """Keep ``getter(obj, registry)`` as metadata on every search result."""
        from cupola.catalog.config import add_catalog_column
        return add_catalog_column(self, name, getter, override=override)

    # -- export and import (see cupola.transfer.extras) --

    def add_transfer_handler(self, name, context, export, import_, check=None,
                             override=False):
        """Keep data of objects providing *context* that is outside their
        schema in JSON exports: ``export(obj)`` gives it, ``import_(obj,
        data, files)`` puts it back, ``check(data, files)`` may refuse it."""
        from cupola.transfer.extras import add_transfer_handler
        return add_transfer_handler(self, name, context, export, import_, check,
                                    override=override, origin=_caller_origin())

    def add_request_layer(self, layer):
        """Mark every request of this application with *layer*."""
        self.registry.settings.setdefault("request_layers", [])
        self.registry.settings["request_layers"].append(layer)

    def commit(self):
        """Finish configuration: check add-on dependencies, order skin layers."""
        from cupola.addons.declaration import check_dependencies, order_skin_layers
        check_dependencies(self.registry)
        order_skin_layers(self.registry)
        return self.registry
