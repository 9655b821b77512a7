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


ADDONS = {"cupola_wiki": "cupola-wiki", "cupola_blog": "cupola-blog"}


def load_toml(path):
    import tomllib
    return tomllib.loads(path.read_text())


def test_the_core_distribution_leaves_the_example_addons_out():
    core = load_toml(ROOT / "pyproject.toml")
    packages = core["tool"]["setuptools"]["packages"]
    assert not [p for p in packages if p.split(".")[0] in ADDONS]
    assert "cupola.addons" not in core["project"].get("entry-points", {})
    assert not set(core["tool"]["setuptools"]["package-data"]) & set(ADDONS)


def test_each_example_addon_is_a_distribution_of_its_own():
    for package, dist in ADDONS.items():
        folder = ROOT / "src" / package
        meta = load_toml(folder / "pyproject.toml")
        assert meta["project"]["name"] == dist
        assert (folder / meta["project"]["readme"]).is_file()
        assert meta["project"]["entry-points"]["cupola.addons"] == {
            package: f"{package}:includeme"}
        assert any(d.startswith("cupola>=") for d in meta["project"]["dependencies"])
        setup = meta["tool"]["setuptools"]
        assert setup["package-dir"] == {package: "."}
        found = {".".join((package,) + p.relative_to(folder).parts[:-1])
                 for p in folder.rglob("__init__.py")}
        assert found == set(setup["packages"]), f"{dist}: packages to list"
        assert setup["package-data"] == {package: ["skins/**/*"]}
        assert list((folder / "skins").rglob("*.pt"))


def test_addon_runtime_imports_are_declared():
    # third-party modules an add-on imports directly, and the requirement
    # that brings each (the rest come with cupola itself)
    needs = {"cupola_wiki": {"markdown": "markdown", "docutils": "docutils"},
             "cupola_blog": {"PIL": "Pillow"}}
    for package, modules in needs.items():
        folder = ROOT / "src" / package
        source = "\n".join(p.read_text() for p in folder.rglob("*.py"))
        declared = {re.split(r"[<>=!~ \[]", d, 1)[0].lower()
                    for d in load_toml(folder / "pyproject.toml")["project"]["dependencies"]}
        for module, requirement in modules.items():
            assert re.search(rf"^\s*(from|import) {module}\b", source, re.M), module
            assert requirement.lower() in declared, f"{package} needs {requirement}"


def test_the_environment_has_the_addons_from_their_own_distributions():
    # make serve / make test install them (pip install -e src/cupola_wiki ...)
    from importlib.metadata import entry_points
    found = {ep.name: ep.dist.name for ep in entry_points(group="cupola.addons")
             if ep.name in ADDONS}
    assert found == ADDONS, "run make test (or pip install -e src/cupola_wiki -e src/cupola_blog)"
