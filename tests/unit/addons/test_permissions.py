"""add_permission(roles=...): who holds an add-on's permission by default."""

from cupola.registry import Configurator
from cupola.security.policy import MANAGER_ONLY, granted_roles


class Thing:
    __parent__ = None


def test_registered_roles_hold_the_permission():
    config = Configurator()
    config.include("cupola.workflow")
    config.add_permission("wiki.Edit", "Edit wiki pages", roles=["Editor", "Manager"])
    assert granted_roles(config.registry, Thing(), "wiki.Edit") == {"Editor", "Manager"}


def test_without_roles_only_managers_hold_it():
    config = Configurator()
    config.include("cupola.workflow")
    config.add_permission("wiki.Edit", "Edit wiki pages")
    assert granted_roles(config.registry, Thing(), "wiki.Edit") == MANAGER_ONLY
