"""cupola export and cupola import on FileStorage sites: JSON and .zexp."""

import json

import pytest
import transaction

from cupola.cli import main
from transfer_content import differences, make_sample


class FileSite:
    """A file:// site made by 'cupola init', opened and closed on demand."""

    def __init__(self, path, monkeypatch):
        monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
        self.uri = f"file://{path}/Data.fs"
        assert main(["init", "--zodb-uri", self.uri]) == 0

    def __enter__(self):
        from cupola.db.bootstrap import get_site
        from cupola.db.storage import open_db
        from cupola.registry import push_registry
        from cupola.wsgi import configure
        self.registry = configure({}).registry
        push_registry(self.registry)
        self.db = open_db(self.uri)
        self.conn = self.db.open()
        return get_site(self.conn)

    def __exit__(self, exc_type, *rest):
        from cupola.registry import pop_registry
        if exc_type is None:
            transaction.commit()
        else:
            transaction.abort()
        self.conn.close()
        self.db.close()
        pop_registry()


@pytest.fixture
def source(tmp_path, monkeypatch):
    made = FileSite(tmp_path / "source", monkeypatch)
    with made as site:
        make_sample(made.registry, site)
    return made


@pytest.fixture
def target(tmp_path, monkeypatch):
    return FileSite(tmp_path / "target", monkeypatch)


def test_json_round_trip_through_the_command_line(source, target, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Exported 8 objects from /sub" in captured.out
    assert "Exporting" in captured.err  # the progress display
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/"]) == 0
    captured = capsys.readouterr()
    assert "Imported 8 objects into /: /sub" in captured.out
    assert "Checking" in captured.err and "Importing" in captured.err
    assert main(["check", "--zodb-uri", target.uri]) == 0
    with source as a, target as b:
        assert differences(source.registry, a["sub"], b["sub"]) == []
        assert [x.path for x in b.catalog.search(None, text="minutes")] == ["/sub/minutes"]


def test_export_is_stable_so_diffs_show_only_changes(source, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(first)]) == 0
    with source as site:
        from cupola.content.operations import edit
        edit(source.registry, site["sub"]["inner"]["deep"], {"title": "Deeper"})
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(second)]) == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    changed = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert changed == ["sub/inner/deep/_object.json", "sub/inner/deep/_revisions.json"]


def test_force_replaces_an_earlier_export_and_keeps_dot_files(source, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "README.md").write_text("Our site's news, exported nightly.\n")
    assert main(["export", "--zodb-uri", source.uri, "/sub/inner", str(out)]) == 1
    assert "holds an earlier export" in capsys.readouterr().err
    assert main(["export", "--zodb-uri", source.uri, "/sub/inner", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".git", "README.md", "_export.json",
                                                      "inner"]
    assert json.loads((out / "_export.json").read_text())["objects"] == 3


def test_import_refuses_a_taken_name_unless_replace(source, target, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub/inner", str(out)]) == 0
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/about"]) == 0
    capsys.readouterr()
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/about"]) == 1
    err = capsys.readouterr().err
    assert "/about/inner already exists" in err and "Traceback" not in err
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/about",
                 "--name", "copy"]) == 0
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/about",
                 "--replace"]) == 0
    with target as site:
        assert sorted(site["about"].keys()) == ["copy", "inner", "team"]
        from cupola.content.trash import query_bin
        assert [e.name for e in query_bin(site).newest()] == ["inner"]


def test_zexp_round_trip_is_an_exact_copy(source, target, tmp_path, capsys):
    out = tmp_path / "sub.zexp"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    assert "Exported" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"ZEXP")
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/news"]) == 0
    assert "/news/sub" in capsys.readouterr().out
    with source as a, target as b:
        assert differences(source.registry, a["sub"], b["news"]["sub"]) == []
        found = {x.path for x in b.catalog.search(None, unrestricted=True, path="/news/sub")}
        assert len(found) == 8 and "/news/sub/inner/deep" in found
        assert [x.path for x in b.catalog.search(None, text="minutes")] == ["/news/sub/minutes"]
        # the export did not touch the source, and did not copy the site
        assert a["sub"].__parent__ is a
        assert "welcome" not in b["news"]["sub"]


def test_zexp_of_the_site_root_is_refused(source, tmp_path, capsys):
    assert main(["export", "--zodb-uri", source.uri, "/", str(tmp_path / "all.zexp")]) == 1
    assert "cupola backup" in capsys.readouterr().err
    assert not (tmp_path / "all.zexp").exists()


def test_export_of_a_missing_path(source, tmp_path, capsys):
    assert main(["export", "--zodb-uri", source.uri, "/nope", str(tmp_path / "x")]) == 1
    assert "nothing at /nope" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_import_into_a_missing_folder(source, target, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    assert main(["import", "--zodb-uri", target.uri, str(out), "--into", "/welcome"]) == 1
    assert "no folder at /welcome" in capsys.readouterr().err


def test_a_cut_short_zexp_is_refused_and_nothing_is_imported(source, target, tmp_path, capsys):
    out = tmp_path / "sub.zexp"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    data = out.read_bytes()
    out.write_bytes(data[:len(data) // 2])
    assert main(["import", "--zodb-uri", target.uri, str(out)]) == 1
    err = capsys.readouterr().err
    assert "is cut short" in err and "Traceback" not in err
    with target as site:
        assert "sub" not in site


def test_a_zexp_naming_an_unknown_class_is_refused(source, target, tmp_path, capsys):
    out = tmp_path / "sub.zexp"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    data = out.read_bytes()
    assert b"cupola.content.folder" in data
    out.write_bytes(data.replace(b"cupola.content.folder", b"cupola.content.foldex"))
    assert main(["import", "--zodb-uri", target.uri, str(out)]) == 1
    assert "cupola.content.foldex.Folder, which this site cannot load" in capsys.readouterr().err


def test_importing_a_folder_that_is_no_export(target, tmp_path, capsys):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("hello")
    assert main(["import", "--zodb-uri", target.uri, str(tmp_path / "stuff")]) == 1
    assert "_export.json is missing" in capsys.readouterr().err
    assert main(["import", "--zodb-uri", target.uri, str(tmp_path / "nothing")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_a_bad_export_through_the_command_line_names_the_file(source, target, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    (out / "sub" / "inner" / "deep" / "_object.json").write_text("{ nope")
    assert main(["import", "--zodb-uri", target.uri, str(out)]) == 1
    err = capsys.readouterr().err
    assert "sub/inner/deep/_object.json: is not valid JSON" in err
    with target as site:
        assert "sub" not in site


@pytest.mark.parametrize("output", ["export", "sub.zexp"])
def test_export_reads_a_database_that_is_in_use(source, tmp_path, output, capsys):
    from cupola.db.storage import open_db
    running = open_db(source.uri)  # holds the lock, as a running site does
    try:
        assert main(["export", "--zodb-uri", source.uri, "/sub", str(tmp_path / output)]) == 0
        assert "Exported" in capsys.readouterr().out
    finally:
        running.close()


@pytest.mark.parametrize("output", ["export", "sub.zexp"])
def test_an_import_beside_the_original_gets_new_uuids_and_its_own_references(
        source, tmp_path, output):
    out = tmp_path / output
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    assert main(["import", "--zodb-uri", source.uri, str(out), "--into", "/news"]) == 0
    with source as site:
        from cupola.content.container import subtree
        from cupola.content.references import find_by_uuid
        original, copy = site["sub"], site["news"]["sub"]
        assert not {o.uuid for o in subtree(original)} & {o.uuid for o in subtree(copy)}
        assert copy["minutes"].related == (copy["report"].uuid, copy["inner"]["deep"].uuid)
        assert original["minutes"].related == (original["report"].uuid,
                                               original["inner"]["deep"].uuid)
        assert find_by_uuid(site, copy["report"].uuid) is copy["report"]
        assert find_by_uuid(site, original["report"].uuid) is original["report"]


def test_import_check_does_everything_and_writes_nothing(source, target, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out)]) == 0
    size = (tmp_path / "target" / "Data.fs").stat().st_size
    assert main(["import", "--zodb-uri", target.uri, str(out), "--check"]) == 0
    assert "Checked: the import of 8 objects into /: /sub works" in capsys.readouterr().out
    assert (tmp_path / "target" / "Data.fs").stat().st_size == size
    with target as site:
        assert "sub" not in site
    assert main(["import", "--zodb-uri", target.uri, str(out), "--check", "--into", "/welcome"]) == 1


def test_a_zexp_that_would_run_code_is_refused(target, tmp_path, capsys):
    import pickle
    from ZODB.ExportImport import export_end_marker
    from ZODB.utils import p64
    from cupola.content.folder import Folder
    witness = tmp_path / "pwned"
    state = f"cos\nsystem\n(S'touch {witness}'\ntR.".encode()
    record = pickle.dumps((Folder, None), 3) + state
    evil = tmp_path / "evil.zexp"
    evil.write_bytes(b"ZEXP" + p64(1) + p64(len(record)) + record + export_end_marker)
    assert main(["import", "--zodb-uri", target.uri, str(evil)]) == 1
    err = capsys.readouterr().err
    assert "refers to os.system, which an import does not accept" in err
    assert not witness.exists()
    with target as site:
        assert list(site.keys()) == ["about", "welcome", "news"]


def test_export_into_a_folder_with_other_files_keeps_them(source, tmp_path, capsys):
    out = tmp_path / "repo"
    out.mkdir()
    (out / "README.md").write_text("exports\n")
    (out / "sub").write_text("in the way")
    assert main(["export", "--zodb-uri", source.uri, "/sub/inner", str(out)]) == 0
    assert main(["export", "--zodb-uri", source.uri, "/sub", str(out), "--force"]) == 1
    assert "sub exists and is not part of an earlier export" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "_export.json", "inner", "sub"]
