"""The fixture add-ons of tests/functional/addons, installed for real: on
sys.path with a distribution declaring their cupola.addons entry point."""

import sys
from pathlib import Path

import pytest

ADDONS = Path(__file__).parent / "functional" / "addons"


@pytest.fixture
def file_site(tmp_path, monkeypatch):
    """The URI of a FileStorage site made by ``cupola init`` (for tests of
    CLI commands); a test module imports this fixture by name."""
    from conftest import ADMIN_PASSWORD
    from cupola.cli import main
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    uri = f"file://{tmp_path}/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    return uri


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


def hide_package(monkeypatch, package):
    """Make *package* unimportable for the rest of the test, as if it were
    uninstalled (for add-ons that live in this repository and so stay on
    the path): its modules are forgotten and ``sys.modules`` maps their
    names to None, which makes ``import`` raise ImportError. Open the
    database again afterwards (a fresh ``open_db``): objects already
    loaded keep their class. Build the app with ``discover_addons="false"``
    too: the entry point is still declared in the metadata."""
    names = [m for m in sys.modules if m == package or m.startswith(package + ".")]
    for name in names or [package]:
        monkeypatch.setitem(sys.modules, name, None)
