"""cupola-wiki and cupola-blog are distributions of their own: each builds
a wheel from its folder under src/ (its modules and skins, nothing else),
installs with pip into an environment that has Cupola, is found through
its entry point, activates with the CLI and serves; after
``pip uninstall`` of both, the site made with them still serves its pages,
contents, search and @@addons (placeholders for what they made), no 500.

The throwaway environment is a venv without pip that sees this project's
.venv through a .pth, but through a copy of its site-packages made of
symlinks that leaves out the two add-ons' own (editable) installs, so that
they come only from the wheels. .venv's pip installs into it with
``--python``, offline (``--no-index --no-build-isolation``): the add-ons'
dependencies must already be met by Cupola's environment."""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENV_SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" \
    / "site-packages"
ADDONS = {"cupola_wiki": "cupola-wiki", "cupola_blog": "cupola-blog"}
PASSWORD = "addon-packages-pw-1"
CLI = "import sys; from cupola.cli import main; sys.exit(main(sys.argv[1:]))"


def sh(*argv, cwd=None, env=None, timeout=180):
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


# Run by the venv's python: with both add-ons active, add a wiki (its
# FrontPage comes with it) and a page, a blog and a post, through the web.
MAKE_CONTENT = """
import sys
from webtest import TestApp
import cupola_wiki, cupola_blog
from cupola.addons.testing import csrf_from, sign_in
from cupola.wsgi import make_app
print("wiki from", cupola_wiki.__file__)
print("blog from", cupola_blog.__file__)
from importlib.metadata import entry_points
for ep in entry_points(group="cupola.addons"):
    print("entry point", ep.name, ep.value, ep.dist.name, ep.dist.version)
app = make_app({"here": "."}, zodb_uri=sys.argv[1], audit_log="none")
browser = TestApp(app)
sign_in(browser, password=sys.argv[2])

def add(where, type_name, **fields):
    form = browser.get(f"{where}/++add++{type_name}")
    done = browser.post(f"{where}/++add++{type_name}",
                        {"_csrf": csrf_from(form), **fields}, status=303)
    return done.location.replace("http://localhost", "")

wiki = add("", "Wiki", title="Handbook")
add(wiki, "WikiPage", title="Onboarding", body="See FrontPage.", format="markdown",
    _name="onboarding")
blog = add("", "Blog", title="News desk", comments="anyone", _action="publish")
add(blog, "BlogPost", title="Launch day", text="<p>We launched.</p>",
    _action="publish")
page = browser.get(f"{wiki}/onboarding")
print("wiki page", page.status_int, "FrontPage" in page.text and "Onboarding" in page.text)
css = [l["href"] for l in page.html.select("link[rel=stylesheet]") if "cupola_wiki" in l["href"]]
print("wiki css", [browser.get(c.replace("http://localhost", "")).status_int for c in css])
post = browser.get(f"{blog}/launch-day")
print("blog post", post.status_int, "We launched." in post.text)
print("blog rss", browser.get(f"{blog}/@@rss").status_int)
print("paths", wiki, blog)
app.db.close()
"""

# Run by the venv's python once both packages are uninstalled.
SERVE_WITHOUT = """
import importlib.util, sys
from webtest import TestApp
from cupola.addons.testing import sign_in
from cupola.wsgi import make_app
for name in ("cupola_wiki", "cupola_blog"):
    print("importable", name, importlib.util.find_spec(name) is not None)
app = make_app({"here": "."}, zodb_uri=sys.argv[1], audit_log="none")
browser = TestApp(app)
print("anonymous /", browser.get("/").status_int)
sign_in(browser, password=sys.argv[2])
for path in sys.argv[3:]:
    response = browser.get(path, expect_errors=True)
    placeholder = "needs the package" in response.text
    found = "Launch day" in response.text or "Onboarding" in response.text
    print("page", path, response.status_int, "placeholder" if placeholder else "-",
          "found" if found else "-")
print("addons-missing", browser.get("/@@addons").text.lower().count("package missing"))
app.db.close()
"""


def shadow_site(tmp_path):
    """A folder of symlinks to .venv's site-packages, without the add-ons."""
    shadow = tmp_path / "cupola-site"
    shadow.mkdir()
    for entry in VENV_SITE.iterdir():
        if not any(p in entry.name.lower() for p in ADDONS):
            (shadow / entry.name).symlink_to(entry)
    return shadow


def build_wheel(package, tmp_path):
    """A wheel of src/<package>, built from a copy (no build/ in the tree)."""
    copy = tmp_path / "sources" / package
    shutil.copytree(REPO / "src" / package, copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
       "-w", tmp_path / "wheels", copy, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheels").glob(f"{package}-*.whl")
    return wheel


def expected_files(package):
    folder = REPO / "src" / package
    files = {p.relative_to(folder).as_posix() for p in folder.glob("*.py")}
    files |= {p.relative_to(folder).as_posix() for p in (folder / "skins").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    return {f"{package}/{f}" for f in files}


def test_the_addons_install_serve_and_uninstall_with_pip(tmp_path):
    wheels = {package: build_wheel(package, tmp_path) for package in ADDONS}
    for package, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            meta = [n for n in names if n.startswith(f"{package}-")]
            assert names - set(meta) == expected_files(package), wheel.name
            (entry_points,) = [n for n in meta if n.endswith("entry_points.txt")]
            assert f"{package} = {package}:includeme" in archive.read(entry_points).decode()

    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "cupola_env.pth").write_text(
        f"import site; site.addsitedir({str(shadow_site(tmp_path))!r})\n")
    python = venv / "bin" / "python"
    probe = "import importlib.util as u; print([n for n in %r if u.find_spec(n)])" \
        % (tuple(ADDONS),)
    assert sh(python, "-c", probe).strip() == "[]", "the venv must start without the add-ons"

    # dependencies (cupola, markdown, docutils, Pillow) are met offline
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index",
       "--no-build-isolation", *wheels.values(), cwd=tmp_path)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "CUPOLA_ADMIN_PASSWORD": PASSWORD}
    data = f"file://{tmp_path}/Data.fs"
    sh(python, "-c", CLI, "init", "--zodb-uri", data, cwd=tmp_path, env=env)
    for package in ADDONS:
        out = sh(python, "-c", CLI, "addons", "activate", package, "--zodb-uri", data,
                 cwd=tmp_path, env=env)
        assert f"({package})." in out and "Activated" in out, out
    listed = sh(python, "-c", CLI, "addons", "--zodb-uri", data, cwd=tmp_path, env=env)
    for package in ADDONS:
        assert re.search(rf"^{package} +active ", listed, re.M), listed

    out = sh(python, "-c", MAKE_CONTENT, data, PASSWORD, cwd=tmp_path, env=env)
    for package in ADDONS:
        assert f"from {site}/{package}/__init__.py" in out, out  # the wheel's copy
    for package, dist in ADDONS.items():
        assert f"entry point {package} {package}:includeme {dist} 1.0" in out, out
    assert "wiki page 200 True" in out and "wiki css [200]" in out, out
    assert "blog post 200 True" in out and "blog rss 200" in out, out
    wiki, blog = re.search(r"^paths (\S+) (\S+)$", out, re.M).groups()

    sh(sys.executable, "-m", "pip", "--python", python, "uninstall", "-y", "-q",
       *ADDONS.values(), cwd=tmp_path)
    assert not list(site.glob("cupola_wiki*")) and not list(site.glob("cupola_blog*"))
    listed = sh(python, "-c", CLI, "addons", "--zodb-uri", data, cwd=tmp_path, env=env)
    for package in ADDONS:
        assert re.search(rf"^{package} .*package missing", listed, re.M), listed

    pages = ["/", "/@@contents", wiki, f"{wiki}/onboarding", f"{wiki}/@@contents",
             blog, f"{blog}/launch-day", "/@@search?q=launch", "/@@search?q=onboarding",
             "/@@addons"]
    out = sh(python, "-c", SERVE_WITHOUT, data, PASSWORD, *pages, cwd=tmp_path, env=env)
    assert "importable cupola_wiki False" in out and "importable cupola_blog False" in out
    assert "anonymous / 200" in out, out
    seen = dict(re.findall(r"^page (\S+) (\d+ \S+) \S+$", out, re.M))
    found = dict(re.findall(r"^page (\S+) \d+ \S+ (\S+)$", out, re.M))
    assert set(seen) == set(pages), out
    assert {path: status.split()[0] for path, status in seen.items()} == \
        dict.fromkeys(pages, "200"), out
    for path in (wiki, f"{wiki}/onboarding", blog, f"{blog}/launch-day"):
        assert seen[path] == "200 placeholder", (path, out)
    for path in ("/@@search?q=launch", "/@@search?q=onboarding", f"{wiki}/@@contents"):
        assert found[path] == "found", (path, out)  # still catalogued and listed
    assert "addons-missing 2" in out, out
    # the install stayed in the venv: the main environment still has its own
    assert "cupola_wiki" in sh(sys.executable, "-c", "import cupola_wiki; print(cupola_wiki.__name__)")
