"""Cupola: a content management system on ZODB.

``includeme(config)`` includes every layer in order; an add-on's own
``includeme`` uses the same Configurator calls.
"""

__version__ = "0.1.0"


def includeme(config):
    config.include("cupola.skins")
    config.include("cupola.addons")
    config.include("cupola.security")
    config.include("cupola.content")
    config.include("cupola.workflow")
    config.include("cupola.catalog")
    config.include("cupola.views")
    config.include("cupola.admin")
