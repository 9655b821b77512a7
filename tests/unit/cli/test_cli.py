"""The cupola command: help, init, shell."""

import pytest

from cupola.cli import main


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("init", "serve", "shell"):
        assert command in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_init_creates_the_database_and_prints_the_password(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CUPOLA_ADMIN_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "password:" in out
    assert (tmp_path / "var" / "Data.fs").is_file()
    assert main(["init"]) == 0
    assert "password:" not in capsys.readouterr().out  # shown once only


def test_shell_runs_code_with_root_and_transaction(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw")
    uri = f"file://{tmp_path}/Data.fs"
    assert main(["shell", "--zodb-uri", uri, "-c",
                 "root.title = 'From shell'; transaction.commit()"]) == 0
    assert main(["shell", "--zodb-uri", uri, "-c", "print(root.title)"]) == 0
    assert "From shell" in capsys.readouterr().out


def test_serve_options_read_the_environment(monkeypatch):
    import argparse
    from cupola.cli import serve
    monkeypatch.setenv("CUPOLA_PORT", "9999")
    monkeypatch.setenv("CUPOLA_HOST", "0.0.0.0")
    monkeypatch.setenv("CUPOLA_THREADS", "7")
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.port, args.host, args.threads) == (9999, "0.0.0.0", 7)
    assert parser.parse_args(["--port", "81"]).port == 81


def test_bad_uri_is_a_clear_error(capsys):
    assert main(["init", "--zodb-uri", "nosuch://x"]) == 1
    assert "no storage" in capsys.readouterr().err
