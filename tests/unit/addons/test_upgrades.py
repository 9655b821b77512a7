"""Upgrade steps: registration checks and the chain from a version to the current one."""

import pytest

from cupola.addons.upgrades import plan
from cupola.exceptions import AddonError, ConfigurationConflict, ConfigurationError
from cupola.registry import Configurator


def step(site, registry):
    """Do the thing."""


def make(*steps):
    config = Configurator()
    config.include("cupola.addons")
    for package, a, b in steps:
        config.add_upgrade_step(package, a, b, step)
    return config


def labels(steps):
    return [(s.from_version, s.to_version) for s in steps]


def test_schema_version_is_the_highest_step():
    assert make(("cupola", 1, 2), ("cupola", 2, 5)).registry.schema_versions["cupola"] == 5


def test_chain_from_each_version():
    registry = make(("wiki", 1, 2), ("wiki", 2, 3), ("wiki", 3, 4)).registry
    assert labels(plan(registry, "wiki", 1)) == [(1, 2), (2, 3), (3, 4)]
    assert labels(plan(registry, "wiki", 3)) == [(3, 4)]
    assert plan(registry, "wiki", 4) == []


def test_the_longest_jump_is_taken():
    registry = make(("wiki", 1, 2), ("wiki", 2, 3), ("wiki", 1, 3)).registry
    assert labels(plan(registry, "wiki", 1)) == [(1, 3)]


def test_gap_is_reported():
    registry = make(("wiki", 2, 3)).registry
    with pytest.raises(AddonError, match="no upgrade step from version 1"):
        plan(registry, "wiki", 1)


def test_title_defaults_to_the_docstring():
    config = make(("wiki", 1, 2))
    assert config.registry.upgrade_steps["wiki"][0].title == "Do the thing."


@pytest.mark.parametrize("a, b", [(2, 1), (1, 1), (0, 1), ("1", 2), (1, 2.5)])
def test_bad_versions_are_refused(a, b):
    with pytest.raises(ConfigurationError):
        make(("wiki", a, b))


def test_one_step_twice_conflicts():
    with pytest.raises(ConfigurationConflict):
        make(("wiki", 1, 2), ("wiki", 1, 2))
