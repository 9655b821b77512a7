"""A fixture add-on whose code moves on: the environment says which schema
version its code is at (EVOLVING_VERSION, default 1), whether Cupola's core
has a pending step too (EVOLVING_CORE=2) and which step fails (EVOLVING_FAIL)."""

import os


def _step(version):
    def step(site, registry):
        if os.environ.get("EVOLVING_FAIL") == str(version):
            raise RuntimeError(f"step to {version} broke")
        site.settings[f"evolving.v{version}"] = sorted(site.installed_versions.items())
    step.__doc__ = f"Move the evolving data to version {version}."
    return step


def core_step(site, registry):
    """Reshape Cupola's own data."""
    site.settings["evolving.core"] = "done"


def includeme(config):
    config.add_addon("evolving", title="Evolving", version="0.1")
    for version in range(2, int(os.environ.get("EVOLVING_VERSION", "1")) + 1):
        config.add_upgrade_step("evolving", version - 1, version, _step(version))
    if os.environ.get("EVOLVING_CORE"):
        config.add_upgrade_step("cupola", 1, 2, core_step)
