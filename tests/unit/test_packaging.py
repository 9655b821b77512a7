"""The wheel ships every package of the source tree and the skins."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'"(cupola[\w.]*)"', text.split("packages = [", 1)[1].split("]", 1)[0]))
    found = {".".join(p.relative_to(ROOT / "src").parts[:-1])
             for p in (ROOT / "src").rglob("__init__.py")
             if p.relative_to(ROOT / "src").parts[0] == "cupola"}
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert "cupola_skins" in listed
