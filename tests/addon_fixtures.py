"""The fixture add-ons of tests/functional/addons, installed for real: on
sys.path with a distribution declaring their cupola.addons entry point."""

import sys
from pathlib import Path

ADDONS = Path(__file__).parent / "functional" / "addons"


def install_distribution(site_dir, name, version="1.0", entry=None):
    """Write ``<name>-<version>.dist-info`` in *site_dir* with its entry point."""
    dist = Path(site_dir) / f"{name}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: The {name} fixture add-on\n")
    (dist / "entry_points.txt").write_text(
        f"[cupola.addons]\n{name} = {entry or name + ':includeme'}\n")
    return dist


def forget(package):
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
