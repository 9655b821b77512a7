"""The Configurator calls of the catalog: add_catalog_index, add_catalog_column."""

import sys

import cupola.registry
from cupola.catalog.definitions import KINDS, ColumnDefinition, IndexDefinition
from cupola.exceptions import ConfigurationError

RESERVED = frozenset({"path", "depth", "sort_on", "reverse", "batch_start",
                      "batch_size", "unrestricted", "request"})


def index_definitions(registry):
    """{name: IndexDefinition}, in registration order."""
    return registry.catalog_indexes


def column_definitions(registry):
    """{name: ColumnDefinition}, in registration order."""
    return registry.catalog_columns


def add_catalog_index(config, name, kind, getter, override=False):
    if kind not in KINDS:
        raise ConfigurationError(
            f"catalog index {name!r}: kind must be one of {', '.join(KINDS)}, "
            f"not {kind!r}")
    if name in RESERVED or not name.isidentifier():
        raise ConfigurationError(f"{name!r} cannot name a catalog index")
    if not callable(getter):
        raise ConfigurationError(f"catalog index {name!r}: the getter is not callable")
    origin = _origin()
    config._claim(("catalog-index", name), origin, override)
    index_definitions(config.registry)[name] = IndexDefinition(name, kind, getter, origin)


def add_catalog_column(config, name, getter, override=False):
    if not name.isidentifier() or name.startswith("_") or name in (
            "docid", "path", "score", "getObject", "url"):
        raise ConfigurationError(f"{name!r} cannot name a catalog column")
    if not callable(getter):
        raise ConfigurationError(f"catalog column {name!r}: the getter is not callable")
    origin = _origin()
    config._claim(("catalog-column", name), origin, override)
    column_definitions(config.registry)[name] = ColumnDefinition(name, getter, origin)


def _origin():
    """File and line of the registration, past the Configurator method."""
    frame = sys._getframe(2)
    while (frame.f_back is not None
           and frame.f_code.co_filename in (cupola.registry.__file__, __file__)):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"
