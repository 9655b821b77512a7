"""cupola create-addon writes a package that pip installs in editable mode,
whose own test passes, and that a Cupola site then finds and activates.

The throwaway environment is a venv without pip whose site-packages holds a
.pth that adds this project's .venv site-packages (processing its .pth
files, so the editable cupola is importable); .venv's pip installs into it
with ``--python``, offline (--no-deps --no-build-isolation)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

VENV_SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" \
    / "site-packages"


def sh(*argv, cwd=None, timeout=300):
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def env(tmp_path):
    """A fresh venv seeing Cupola's environment; its python."""
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "cupola_env.pth").write_text(
        f"import site; site.addsitedir({str(VENV_SITE)!r})\n")
    return venv / "bin" / "python"


def test_scaffold_installs_and_its_test_passes(tmp_path, env):
    from cupola.cli import main
    assert main(["create-addon", "recipes", "--type", "Recipe",
                 "--output", str(tmp_path)]) == 0
    project = tmp_path / "recipes"
    assert (project / "src/recipes/skins/recipes/recipe_view.pt").is_file()
    sh(sys.executable, "-m", "pip", "--python", env, "install", "-q", "--no-deps",
       "--no-build-isolation", "-e", project)
    out = sh(env, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=project)
    assert "3 passed" in out

    # the installed entry point is found: list, activate on a real site
    data = f"file://{tmp_path}/Data.fs"
    cli = "import sys; from cupola.cli import main; sys.exit(main(sys.argv[1:]))"
    sh(env, "-c", cli, "init", "--zodb-uri", data, cwd=tmp_path)
    listed = sh(env, "-c", cli, "addons", "--zodb-uri", data, cwd=tmp_path)
    assert re.search(r"^recipes +inactive ", listed, re.M)
    sh(env, "-c", cli, "addons", "activate", "recipes", "--zodb-uri", data, cwd=tmp_path)
    listed = sh(env, "-c", cli, "addons", "--zodb-uri", data, cwd=tmp_path)
    assert re.search(r"^recipes +active ", listed, re.M)  # columns fit the longest name
    # the main environment does not see it: the install stayed in the venv
    assert subprocess.run(
        [sys.executable, "-c", "import importlib.util as u, sys; "
         "sys.exit(u.find_spec('recipes') is not None)"], timeout=60).returncode == 0
