"""buildout.cfg builds a working ``bin/cupola`` from a copy of the checkout.

A fresh virtualenv gets zc.buildout from pip (pip's cache is reused);
buildout then installs the package in develop mode with its dependencies.
Downloads go to a cache beside pip's so that later runs are quicker.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NEEDED = ["pyproject.toml", "README.md", "buildout.cfg", "production.ini",
          "src", "skins"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    path = Path(base) / "cupola-tests" / "buildout-downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run(args, cwd, timeout, env):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-6000:]}")
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the checkout after ``buildout -c buildout.cfg``."""
    tmp = tmp_path_factory.mktemp("buildout")
    repo = tmp / "repo"
    repo.mkdir()
    for name in NEEDED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=IGNORE)
        else:
            shutil.copy2(source, repo / name)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
           and not k.startswith("CUPOLA_")}
    env["CUPOLA_ADMIN_PASSWORD"] = "buildout-test-pw"
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp, 120, env)
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", "zc.buildout"],
        tmp, 300, env)
    run([venv / "bin" / "buildout", "-c", "buildout.cfg",
         f"buildout:download-cache={cache_dir()}"], repo, 600, env)
    return repo, env


def test_bin_cupola_lists_the_commands(built):
    repo, env = built
    cupola = repo / "bin" / "cupola"
    assert cupola.exists()
    out = run([cupola, "--help"], repo, 60, env)
    for command in ("init", "serve", "shell"):
        assert command in out, out


def test_bin_cupola_runs_the_application(built):
    """Templates, skins and entry points resolve in the buildout's scripts."""
    repo, env = built
    out = run([repo / "bin" / "cupola", "shell", "--config", "production.ini",
               "-c", "print('title:', root.title)"], repo, 120, env)
    assert "title: Cupola" in out
    assert (repo / "var" / "Data.fs").exists()


def test_the_example_addons_are_installed(built):
    repo, env = built
    out = run([repo / "bin" / "cupola", "addons"], repo, 120, env)
    assert "cupola_wiki" in out and "cupola_blog" in out, out


def test_interpreter_imports_cupola(built):
    repo, env = built
    out = run([repo / "bin" / "cupola-python", "-c",
               "import cupola, cupola_skins; print('ok', cupola.__file__)"],
              repo, 60, env)
    assert f"ok {repo / 'src' / 'cupola'}" in out
