"""Skin layers: ordered folders of templates and static files; first wins.

``add_skin_layer(name, path)`` puts a folder in front of the others, so an
add-on's ``document_view.pt`` replaces the core's. Templates are Chameleon
page templates, loaded once per layer stack and cached; static files live in
``<layer>/static/<package>/`` and are published at
``/++resource++<package>/<path>`` with a fingerprint for long caching.
"""

import hashlib
import os
from pathlib import Path

from chameleon import PageTemplateFile
from ZODB.utils import z64

from cupola.exceptions import ConfigurationError
from cupola.registry import query_active_addons


def default_skins_dir():
    """The repository's top-level ``skins/`` (also inside an installed wheel).

    Installed, it is the ``cupola_skins`` package; run from a checkout whose
    path hooks are not loaded (buildout's develop eggs), the folder itself.
    """
    try:
        import cupola_skins
    except ImportError:
        return Path(__file__).resolve().parents[2] / "skins"
    return Path(cupola_skins.__file__).parent


class Skins:
    """Finds templates and static files through the registry's skin layers."""

    def __init__(self, registry, auto_reload=False):
        self.registry = registry
        self.auto_reload = auto_reload
        self._templates = {}
        self._fingerprints = {}
        self._custom = {}  # {oid of a CustomTemplate: (serial, template)}

    @property
    def layers(self):
        """The skin layers in lookup order, less those of add-ons that are
        not active in the current site (see cupola.addons)."""
        layers = self.registry.skin_layers
        owners = getattr(self.registry, "skin_layer_addons", None)
        active = query_active_addons() if owners else None
        if active is None:
            return layers
        return [item for item in layers
                if owners.get(item[0]) is None or owners[item[0]] in active]

    def _scope(self):
        """Which add-on layers are in play: part of the template cache key."""
        owners = getattr(self.registry, "skin_layer_addons", None)
        active = query_active_addons() if owners else None
        return None if active is None else active.intersection(owners.values())

    def find(self, relpath):
        """Absolute path of *relpath* in the first layer that has it, or None."""
        for _, root in self.layers:
            path = os.path.join(root, relpath)
            if os.path.isfile(path):
                return path
        return None

    def template(self, name, site=None):
        """The compiled template *name* (e.g. 'document_view.pt').

        With *site*, the site's through-the-web ``custom`` layer comes
        first (see cupola.customlayer).
        """
        if site is not None:
            custom = getattr(site, "custom_templates", None)
            if custom:
                stored = custom.get(name)
                if stored is not None:
                    return self.custom_template(stored)
        key = (name, self._scope())
        tpl = self._templates.get(key)
        if tpl is None:
            path = self.find(name)
            if path is None:
                raise ConfigurationError(
                    f"no template {name!r} in skin layers "
                    f"{[n for n, _ in self.layers]}")
            tpl = PageTemplateFile(path, auto_reload=self.auto_reload,
                                   encoding="utf-8")
            self._templates[key] = tpl
        return tpl

    def custom_template(self, stored):
        """The compiled copy of a stored CustomTemplate, cached by its serial.

        The serial changes with every commit that touches the record (a
        save, an undo), in whichever process made it.
        """
        from cupola.customlayer import compile_source
        stored._p_activate()  # a ghost (invalidated by a commit) has a stale serial
        oid, serial = stored._p_oid, stored._p_serial
        if oid is None or serial == z64:  # not committed yet: no stable key
            return compile_source(stored.source, stored.name)
        found = self._custom.get(oid)
        if found is None or found[0] != serial:
            found = (serial, compile_source(stored.source, stored.name))
            self._custom[oid] = found
        return found[1]

    def template_names(self):
        """{template name: [layer names that have it, first wins]} of the file layers."""
        names = {}
        for layer, root in self.layers:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "static" and not d.startswith("."))
                for file in files:
                    if file.endswith(".pt"):
                        rel = os.path.relpath(os.path.join(folder, file), root)
                        names.setdefault(rel.replace(os.sep, "/"), []).append(layer)
        return dict(sorted(names.items()))

    def static_path(self, package, subpath):
        """Path of a static file, refusing anything that climbs out."""
        parts = [p for p in subpath.split("/") if p]
        if not parts or any(p in (".", "..") or p.startswith(".") or "\\" in p
                            for p in parts):
            return None
        return self.find(os.path.join("static", package, *parts))

    def fingerprint(self, package, subpath):
        """A short content hash, to put in asset URLs for immutable caching."""
        key = (package, subpath)
        value = self._fingerprints.get(key)
        if value is None or self.auto_reload:
            path = self.static_path(package, subpath)
            if path is None:
                raise ConfigurationError(f"no static file {package}/{subpath}")
            with open(path, "rb") as f:
                value = hashlib.sha256(f.read()).hexdigest()[:12]
            self._fingerprints[key] = value
        return value


def includeme(config):
    config.add_skin_layer("public", default_skins_dir() / "public")
