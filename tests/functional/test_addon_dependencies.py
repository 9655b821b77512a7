"""Add-ons that depend on others; reactivation resumes at the old data's version."""

import pytest

from conftest import Site, build_app


def base(config):
    config.add_addon("base", title="Base", install=lambda site, registry:
                     site.settings.__setitem__("order", site.settings.get("order", "") + "b"))


def extra(config):
    config.add_addon("extra", title="Extra", depends=["base"],
                     install=lambda site, registry:
                     site.settings.__setitem__("order", site.settings.get("order", "") + "e"))


def test_activating_activates_dependencies_first():
    from cupola.addons import activate
    app = build_app(base, extra)
    with Site(app) as site:
        assert activate(site, app.registry, "extra") == ["base", "extra"]
        assert site.settings["order"] == "be"
        assert set(site.installed_versions) == {"cupola", "base", "extra"}


def test_a_dependency_in_use_cannot_be_deactivated():
    from cupola.addons import activate, deactivate
    from cupola.exceptions import AddonError
    app = build_app(base, extra)
    with Site(app) as site:
        activate(site, app.registry, "extra")
        with pytest.raises(AddonError, match="Base is needed by Extra: deactivate those first"):
            deactivate(site, app.registry, "base")
        deactivate(site, app.registry, "extra")
        deactivate(site, app.registry, "base")
        assert site.installed_versions == {"cupola": 1}


def test_reactivation_resumes_at_the_retired_version():
    from cupola.addons import activate, deactivate
    from cupola.addons.upgrades import pending
    from cupola.publisher import Application
    app = build_app(base)
    with Site(app) as site:
        activate(site, app.registry, "base")
        deactivate(site, app.registry, "base")
        assert site.retired_versions == {"base": 1}

    def newer(config):  # the next release of "base" comes with a step 1 -> 2
        base(config)
        config.add_upgrade_step("base", 1, 2, lambda site, registry: None, "Reshape")
    newer.__qualname__ = "newer"
    app2 = build_app(newer)
    with Site(app2) as site:
        # a site fresh to the add-on starts at the current version...
        activate(site, app2.registry, "base")
        assert site.installed_versions["base"] == 2
    moved = Application(app2.registry, app.db, app.settings)  # the new code, the old site
    with Site(moved) as site:
        # ...one that had it resumes at 1, with the step pending
        activate(site, app2.registry, "base")
        assert site.installed_versions["base"] == 1 and site.retired_versions == {}
        assert [s.label for s in pending(app2.registry, site)] == ["base 1 → 2: Reshape"]
