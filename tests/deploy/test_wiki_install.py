"""The wiki installed with pip from a wheel (not the editable checkout):
the wheel carries its templates and stylesheet, its entry point is found,
and a site activated through the CLI serves a wiki.

The throwaway environment is a venv without pip whose site-packages holds
a .pth adding this project's .venv site-packages for the dependencies; the
wheel installed into the venv comes first on sys.path, so `cupola` and
`cupola_wiki` are imported from it (the test checks where from)."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENV_SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" \
    / "site-packages"
PASSWORD = "wheel-test-pw-1"


def sh(*argv, cwd=None, env=None, timeout=300):
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


SERVE = textwrap.dedent("""
    import sys
    from webtest import TestApp
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    from cupola.wsgi import configure
    import cupola_wiki
    print("wiki from", cupola_wiki.__file__)
    settings = {"zodb_uri": sys.argv[1]}
    app = Application(configure(settings).registry, open_db(sys.argv[1]), settings)
    browser = TestApp(app)
    page = browser.get("/@@login")
    token = page.html.select_one("[name=_csrf]")["value"]
    browser.post("/@@login", {"_csrf": token, "login": "admin",
                              "password": sys.argv[2], "came_from": "/"}, status=303)
    form = browser.get("/++add++Wiki")
    token = form.html.select_one("[name=_csrf]")["value"]
    browser.post("/++add++Wiki", {"_csrf": token, "title": "Docs"}, status=303)
    front = browser.get("/docs").follow()
    print("title", front.html.select_one("#wiki-page h1").text)
    (css,) = [link["href"] for link in front.html.select("link[rel=stylesheet]")
              if "++resource++cupola_wiki/wiki.css" in link["href"]]
    print("css", browser.get(css.replace("http://localhost", "")).status_int)
    app.db.close()
""")


def test_the_wiki_installs_from_a_wheel_and_serves(tmp_path):
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for folder in ("src", "skins"):
        shutil.copytree(REPO / folder, project / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
       "-w", tmp_path / "wheels", project, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheels").glob("cupola-*.whl")

    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "cupola_env.pth").write_text(
        f"import site; site.addsitedir({str(VENV_SITE)!r})\n")
    python = venv / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
       "--no-build-isolation", wheel)
    assert (site / "cupola_wiki" / "skins" / "wiki" / "wiki_page_view.pt").is_file()
    assert (site / "cupola_wiki" / "skins" / "wiki" / "static" / "cupola_wiki" / "wiki.css").is_file()

    env = {"PATH": "/usr/bin:/bin", "CUPOLA_ADMIN_PASSWORD": PASSWORD, "HOME": str(tmp_path)}
    cli = "import sys; from cupola.cli import main; sys.exit(main(sys.argv[1:]))"
    data = f"file://{tmp_path}/Data.fs"
    sh(python, "-c", cli, "init", "--zodb-uri", data, cwd=tmp_path, env=env)
    listed = sh(python, "-c", cli, "addons", "--zodb-uri", data, cwd=tmp_path, env=env)
    assert "cupola_wiki" in listed
    out = sh(python, "-c", cli, "addons", "activate", "cupola_wiki", "--zodb-uri", data,
             cwd=tmp_path, env=env)
    assert "Activated Wiki (cupola_wiki)." in out
    out = sh(python, "-c", SERVE, data, PASSWORD, cwd=tmp_path, env=env)
    assert f"wiki from {site}/cupola_wiki/__init__.py" in out
    assert "title FrontPage" in out and "css 200" in out
