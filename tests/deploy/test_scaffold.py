"""cupola create-addon writes a package that pip installs in editable mode,
whose own test passes, that a Cupola site then finds and activates, and
whose content is still served after ``pip uninstall``.

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


MAKE_RECIPE = """
import sys, transaction
from cupola.addons import site_scope
from cupola.content import operations
from cupola.db.bootstrap import get_site
from cupola.db.storage import open_db
from cupola.registry import push_registry
from cupola.wsgi import configure
registry = configure({}).registry
db = open_db(sys.argv[1])
conn = db.open()
site = get_site(conn)
push_registry(registry)
with site_scope(registry, site):
    operations.create(registry, site, "Recipe", {"title": "Soup", "body": "Hot."},
                      name="soup")
transaction.commit()
db.close()
"""

SERVE_PAGES = """
import sys
from webtest import TestApp
from cupola.addons.testing import sign_in
from cupola.wsgi import make_app
app = make_app({"here": "."}, zodb_uri=sys.argv[1], audit_log="none")
browser = TestApp(app)
sign_in(browser, password="pw-for-tests")
print(browser.get("/").status_int, browser.get("/@@contents").status_int)
page = browser.get("/soup")
print("placeholder" if "needs the package 'recipes'" in page.text else page.text[:300])
print(browser.get("/@@search", {"q": "Soup"}).status_int)
"""


@pytest.fixture
def env(tmp_path):
    """A fresh venv seeing Cupola's environment; its python."""
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "cupola_env.pth").write_text(
        f"import site; site.addsitedir({str(VENV_SITE)!r})\n")
    return venv / "bin" / "python"


def test_scaffold_installs_and_its_test_passes(tmp_path, env, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
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
    # content made with it, then the package uninstalled with pip: still served
    sh(env, "-c", MAKE_RECIPE, data, cwd=tmp_path)
    sh(sys.executable, "-m", "pip", "--python", env, "uninstall", "-y", "-q", "recipes")
    assert "package missing" in sh(env, "-c", cli, "addons", "--zodb-uri", data,
                                   cwd=tmp_path)
    out = sh(env, "-c", SERVE_PAGES, data, cwd=tmp_path)
    assert out.split() == ["200", "200", "placeholder", "200"], out
    # the main environment does not see it: the install stayed in the venv
    assert subprocess.run(
        [sys.executable, "-c", "import importlib.util as u, sys; "
         "sys.exit(u.find_spec('recipes') is not None)"], timeout=60).returncode == 0
