"""Add-ons: packages that extend Cupola, switched on and off per site.

The map:

  discovery.py    the ``cupola.addons`` entry points and the ``addons`` setting
  declaration.py  ``config.add_addon``: an add-on's name, layer, install steps;
                  how its registrations are scoped to it; conflicts between add-ons
  sites.py        per-site activation record, the SiteState the publisher uses,
                  ``activate``/``deactivate``
  upgrades.py     schema versions and upgrade steps, ``run_upgrades``
  overview.py     the add-ons as a site sees them (``cupola addons``, ``@@addons``)
  placeholders.py the page of content whose add-on is inactive or missing
  missing.py      read-only stand-ins for content whose class is gone
  testing.py      an application on a fresh in-memory site, for add-ons' tests

The guide for add-on authors is docs/addons.md.
"""

from cupola.addons.declaration import CORE, AddonInfo
from cupola.addons.sites import (activate, deactivate, installed_versions,
                                 site_scope, site_state)

# The schema version of Cupola's own stored data. Raise it together with an
# upgrade step (config.add_upgrade_step("cupola", old, new, handler)).
CORE_SCHEMA_VERSION = 1

__all__ = ["CORE", "AddonInfo", "activate", "deactivate", "installed_versions",
           "site_scope", "site_state", "CORE_SCHEMA_VERSION"]


def includeme(config):
    config.set_schema_version(CORE, CORE_SCHEMA_VERSION)
    config.include("cupola.addons.placeholders")
    config.include("cupola.addons.missing")
