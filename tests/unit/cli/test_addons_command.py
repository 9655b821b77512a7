"""cupola addons and cupola upgrade on a FileStorage site, with the
greetings fixture add-on installed as a distribution."""

import re

import pytest
import transaction

from addon_fixtures import ADDONS, forget, install_distribution
from cupola.cli import main


@pytest.fixture
def greetings(tmp_path, monkeypatch):
    site_dir = tmp_path / "site-packages"
    install_distribution(site_dir, "greetings")
    monkeypatch.syspath_prepend(str(site_dir))
    monkeypatch.syspath_prepend(str(ADDONS))
    yield
    forget("greetings")


@pytest.fixture
def uri(tmp_path, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    uri = f"file://{tmp_path}/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    return uri


def stored(uri):
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    db = open_db(uri)
    conn = db.open()
    try:
        site = get_site(conn)
        return dict(site.installed_versions), dict(site.settings), "hello" in site
    finally:
        transaction.abort()
        conn.close()
        db.close()


def test_list_shows_inactive_addon(greetings, uri, capsys):
    assert main(["addons", "--zodb-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "greetings" in out and "inactive" in out and "Greetings 1.0" in out


def test_verbose_list_shows_what_an_addon_registers(greetings, uri, capsys):
    assert main(["addons", "-v", "--zodb-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "types: Greeting, Greeting box" in out and "skin layers: greetings" in out


def test_activate_runs_install_and_commits(greetings, uri, capsys):
    assert main(["addons", "activate", "greetings", "--zodb-uri", uri]) == 0
    assert "Activated Greetings (greetings)." in capsys.readouterr().out
    versions, settings, has_hello = stored(uri)
    assert versions == {"cupola": 1, "greetings": 1}
    assert settings["greetings.installed"] == "yes" and has_hello
    main(["addons", "--zodb-uri", uri])
    # columns are as wide as the longest name (cupola_wiki is installed too)
    assert re.search(r"^greetings +active ", capsys.readouterr().out, re.M)


def test_deactivate_runs_uninstall_and_keeps_content(greetings, uri, capsys):
    main(["addons", "activate", "greetings", "--zodb-uri", uri])
    assert main(["addons", "deactivate", "greetings", "--zodb-uri", uri]) == 0
    assert "its content is kept" in capsys.readouterr().out
    versions, settings, has_hello = stored(uri)
    assert versions == {"cupola": 1}
    assert settings["greetings.installed"] == "no" and has_hello


@pytest.mark.parametrize("argv, message", [
    (["addons", "activate", "nope"], "No add-on 'nope' is installed"),
    (["addons", "deactivate", "greetings"], "Greetings is not active on this site"),
    (["addons", "activate"], "say which add-on to activate"),
])
def test_errors_are_clear_and_exit_1(greetings, uri, capsys, argv, message):
    assert main(argv + ["--zodb-uri", uri]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_upgrade_with_nothing_pending(greetings, uri, capsys):
    assert main(["upgrade", "--zodb-uri", uri]) == 0
    assert "Nothing to upgrade" in capsys.readouterr().out


@pytest.fixture
def evolving(tmp_path, monkeypatch):
    site_dir = tmp_path / "site-packages"
    install_distribution(site_dir, "evolving")
    monkeypatch.syspath_prepend(str(site_dir))
    monkeypatch.syspath_prepend(str(ADDONS))
    monkeypatch.delenv("EVOLVING_VERSION", raising=False)
    monkeypatch.delenv("EVOLVING_FAIL", raising=False)
    monkeypatch.delenv("EVOLVING_CORE", raising=False)
    yield monkeypatch
    forget("evolving")


def test_upgrade_lists_then_runs_steps_in_order(evolving, uri, capsys):
    assert main(["addons", "activate", "evolving", "--zodb-uri", uri]) == 0
    evolving.setenv("EVOLVING_VERSION", "3")
    evolving.setenv("EVOLVING_CORE", "2")
    forget("evolving")
    capsys.readouterr()
    assert main(["upgrade", "--list", "--zodb-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "3 pending upgrade step(s)" in out
    assert out.index("cupola 1 → 2") < out.index("evolving 1 → 2") < out.index("evolving 2 → 3")
    assert stored(uri)[0] == {"cupola": 1, "evolving": 1}  # --list changes nothing
    assert main(["upgrade", "--zodb-uri", uri]) == 0
    out, err = capsys.readouterr()
    assert "Ran 3 upgrade step(s)." in out and "Upgrading" in err
    versions, settings, _ = stored(uri)
    assert versions == {"cupola": 2, "evolving": 3}
    # each step saw the versions recorded by the ones before it
    assert settings["evolving.v2"] == [("cupola", 2), ("evolving", 1)]
    assert settings["evolving.v3"] == [("cupola", 2), ("evolving", 2)]
    assert settings["evolving.core"] == "done"
    assert main(["upgrade", "--zodb-uri", uri]) == 0
    assert "Nothing to upgrade" in capsys.readouterr().out


def test_failing_step_keeps_the_steps_before_it(evolving, uri, capsys):
    main(["addons", "activate", "evolving", "--zodb-uri", uri])
    evolving.setenv("EVOLVING_VERSION", "3")
    evolving.setenv("EVOLVING_FAIL", "3")
    forget("evolving")
    capsys.readouterr()
    assert main(["upgrade", "--zodb-uri", uri]) == 1
    err = capsys.readouterr().err
    assert "Upgrade step evolving 2 → 3" in err and "step to 3 broke" in err
    assert "Traceback" not in err
    versions, settings, _ = stored(uri)
    assert versions == {"cupola": 1, "evolving": 2} and "evolving.v3" not in settings
    evolving.delenv("EVOLVING_FAIL")
    assert main(["upgrade", "--zodb-uri", uri]) == 0  # resumes at 2 → 3
    assert stored(uri)[0] == {"cupola": 1, "evolving": 3}


def test_data_newer_than_the_code_is_reported(evolving, uri, capsys):
    main(["addons", "activate", "evolving", "--zodb-uri", uri])
    evolving.setenv("EVOLVING_VERSION", "3")
    forget("evolving")
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    db = open_db(uri)
    conn = db.open()
    site = get_site(conn)
    site.installed_versions = {**site.installed_versions, "evolving": 7}
    transaction.commit()
    conn.close()
    db.close()
    capsys.readouterr()
    assert main(["upgrade", "--list", "--zodb-uri", uri]) == 1
    assert "data is at version 7, newer than the installed code (version 3)" in \
        capsys.readouterr().err


def test_init_activates_the_configured_addons(greetings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:cupola\nzodb_uri = file://{tmp_path}/Data.fs\n"
                   "activate_addons = greetings\n")
    assert main(["init", "--config", str(ini)]) == 0
    versions, settings, has_hello = stored(f"file://{tmp_path}/Data.fs")
    assert versions == {"cupola": 1, "greetings": 1}
    assert settings["greetings.installed"] == "yes" and has_hello


def test_an_addon_whose_package_is_gone_is_listed_and_can_be_deactivated(
        tmp_path, monkeypatch, capsys):
    uri = f"file://{tmp_path}/Data.fs"
    site_dir = tmp_path / "site-packages"
    install_distribution(site_dir, "greetings")
    with monkeypatch.context() as m:  # installed while the site is made
        m.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
        m.syspath_prepend(str(site_dir))
        m.syspath_prepend(str(ADDONS))
        ini = tmp_path / "site.ini"
        ini.write_text(f"[app:main]\nuse = egg:cupola\nzodb_uri = {uri}\n"
                       "activate_addons = greetings\n")
        assert main(["init", "--config", str(ini)]) == 0
    forget("greetings")  # and now removed
    capsys.readouterr()
    assert main(["addons", "--zodb-uri", uri]) == 0
    assert "package missing" in capsys.readouterr().out
    assert main(["addons", "deactivate", "greetings", "--zodb-uri", uri]) == 0
    assert "Deactivated greetings (greetings)" in capsys.readouterr().out
    versions, _, has_hello = stored(uri)
    assert versions == {"cupola": 1} and has_hello


@pytest.mark.parametrize("command", [["addons"], ["upgrade"], ["upgrade", "--list"]])
def test_a_database_without_a_site_is_refused(tmp_path, capsys, command):
    assert main(command + ["--zodb-uri", f"file://{tmp_path}/Empty.fs"]) == 1
    assert "holds no site; run 'cupola init' first" in capsys.readouterr().err
