"""Transfer handlers: add-on data outside the schema in a JSON export
(``_extra/<handler>.json`` and its files), checked on reading, refused
for add-ons the target lacks or has not activated, applied on import."""

import json

import pytest

from conftest import Site, build_app
from cupola.content import operations as ops
from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.registry import Configurator
from cupola.transfer import TransferError, export_tree, load_export, read_export

ADDON = "notes_addon"
EXTRA = "doc/_extra/notes_fixture.notes.json"


def notes_app(active=True):
    return build_app(ADDON, **({"activate_addons": "notes_fixture"} if active else {}))


@pytest.fixture
def source(tmp_path):
    app = notes_app()
    streamed = tmp_path / "streamed.txt"
    streamed.write_text("read in chunks\n" * 5000)
    with Site(app) as site:
        doc = ops.create(app.registry, site, "Document", {"title": "Doc"}, name="doc")
        doc._notes = {"notes": {"b": "second", "a": "first"}, "pinned": True}
        doc._attachment = bytes(range(256)) * 10
        doc._streamed = str(streamed)
        ops.create(app.registry, site, "Document", {"title": "Plain"}, name="plain")
    yield app
    app.db.close()


@pytest.fixture
def export(source, tmp_path):
    with Site(source) as site:
        export_tree(source.registry, site["doc"], tmp_path / "out")
    return tmp_path / "out"


def test_the_data_and_files_go_beside_the_object(export):
    envelope = json.loads((export / EXTRA).read_text())
    assert envelope["handler"] == "notes_fixture.notes"
    assert envelope["addon"] == "notes_fixture"
    assert envelope["data"] == {"notes": {"a": "first", "b": "second"}, "pinned": True}
    assert list(envelope["data"]["notes"]) == ["a", "b"]  # stable key order
    assert sorted(envelope["files"]) == ["attachment.bin", "streamed.txt"]
    assert envelope["files"]["attachment.bin"]["size"] == 2560
    files = export / "doc/_extra/notes_fixture.notes"
    assert (files / "attachment.bin").read_bytes() == bytes(range(256)) * 10
    assert (files / "streamed.txt").read_text() == "read in chunks\n" * 5000


def test_an_object_without_data_gets_no_extra_folder(source, tmp_path):
    with Site(source) as site:
        export_tree(source.registry, site["plain"], tmp_path / "plain")
    assert not (tmp_path / "plain/plain/_extra").exists()


def test_the_import_puts_it_back(export):
    target = notes_app()
    try:
        checked = read_export(target.registry, export)
        with Site(target) as site:
            load_export(target.registry, site, checked, name="copy")
        with Site(target) as site:
            copy = site["copy"]
            assert copy._notes == {"notes": {"a": "first", "b": "second"}, "pinned": True}
            assert copy._attachment == bytes(range(256)) * 10
            assert copy._streamed_text == "read in chunks\n" * 5000
    finally:
        target.db.close()


def test_a_site_without_the_add_on_refuses_naming_file_and_add_on(export):
    target = build_app()
    try:
        with pytest.raises(TransferError) as caught:
            read_export(target.registry, export)
        assert str(caught.value.where).endswith(EXTRA)
        assert "the add-on 'notes_fixture'" in str(caught.value)
        assert "remove this file to import without its data" in str(caught.value)
    finally:
        target.db.close()


def test_an_inactive_add_on_is_refused_before_writing(export):
    target = notes_app(active=False)
    try:
        checked = read_export(target.registry, export)
        with pytest.raises(TransferError, match="not active in this site") as caught:
            with Site(target) as site:
                load_export(target.registry, site, checked)
        assert str(caught.value.where).endswith(EXTRA)
        with Site(target) as site:
            assert "doc" not in site
    finally:
        target.db.close()


def test_a_handler_that_fails_on_import_leaves_nothing(export):
    path = export / EXTRA
    envelope = json.loads(path.read_text())
    envelope["data"]["explode"] = True
    path.write_text(json.dumps(envelope))
    target = notes_app()
    try:
        checked = read_export(target.registry, export)
        with pytest.raises(TransferError, match="cannot be imported: refused by the fixture"):
            with Site(target) as site:
                load_export(target.registry, site, checked)
        with Site(target) as site:
            assert "doc" not in site
            assert list(site.catalog.search(None, unrestricted=True, path="/doc")) == []
    finally:
        target.db.close()


def _edit(path, **changes):
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


FILES = "doc/_extra/notes_fixture.notes"
CASES = [
    ("bad data", lambda e: _edit(e / EXTRA, data={"notes": {"a": 1}}),
     EXTRA, "'notes' must map names to text"),
    ("data not an object", lambda e: _edit(e / EXTRA, data=[1]),
     EXTRA, "'data' (an object)"),
    ("other handler", lambda e: _edit(e / EXTRA, handler="x"), EXTRA, "'handler'"),
    ("damaged file", lambda e: (e / FILES / "attachment.bin").write_bytes(b"x"),
     EXTRA, "attachment.bin is damaged"),
    ("missing file", lambda e: (e / FILES / "attachment.bin").unlink(),
     EXTRA, "attachment.bin, which is missing"),
    ("unlisted file", lambda e: (e / FILES / "more.bin").write_bytes(b"x"),
     EXTRA, "does not list more.bin"),
    ("stray file", lambda e: (e / "doc/_extra/readme.txt").write_text("x"),
     "doc/_extra/readme.txt", "is not the data of a transfer handler"),
    ("folder without json", lambda e: (e / "doc/_extra/other").mkdir(),
     "doc/_extra/other", "has no other.json beside it"),
    ("linked data", lambda e: ((e / EXTRA).unlink(), (e / EXTRA).symlink_to("/etc/hostname")),
     EXTRA, "is a symbolic link"),
    ("broken json", lambda e: (e / EXTRA).write_text("{"), EXTRA, "is not valid JSON"),
]


@pytest.mark.parametrize("what,breaking,named,words", CASES, ids=[c[0] for c in CASES])
def test_bad_extra_data_is_refused_naming_the_file(export, what, breaking, named, words):
    breaking(export)
    target = notes_app()
    try:
        with pytest.raises(TransferError) as caught:
            read_export(target.registry, export)
        assert words in str(caught.value)
        assert str(caught.value.where).endswith(named)
    finally:
        target.db.close()


def test_a_handler_for_another_type_is_refused(export):
    obj = export / "doc/_object.json"
    data = json.loads(obj.read_text())
    data.update(type="Link", fields={"title": "Doc", "url": "https://example.org/"})
    obj.write_text(json.dumps(data))
    target = notes_app()
    try:
        with pytest.raises(TransferError, match="does not apply to a Link"):
            read_export(target.registry, export)
    finally:
        target.db.close()


def test_data_json_cannot_hold_is_refused_at_export(source, tmp_path):
    with Site(source) as site:
        site["doc"]._notes = {"notes": {}, "when": object()}
    with pytest.raises(TransferError, match="data JSON cannot hold") as caught:
        with Site(source) as site:
            export_tree(source.registry, site["doc"], tmp_path / "bad")
    assert caught.value.where == "/doc"


def _noop(*args):
    return None


@pytest.mark.parametrize("args,words", [
    (("Bad Name", None, _noop, _noop), "cannot name a transfer handler"),
    (("x.json", None, _noop, _noop), "cannot name a transfer handler"),
    (("ok", "IDocument", _noop, _noop), "context must be an interface"),
    (("ok", None, "export", _noop), "export is not callable"),
    (("ok", None, _noop, None), "import_ is not callable"),
])
def test_bad_registrations_fail_at_startup(args, words):
    from cupola.interfaces import IDocument
    name, context, export, import_ = args
    config = Configurator()
    with pytest.raises(ConfigurationError, match=words):
        config.add_transfer_handler(name, context or IDocument, export, import_)


def test_two_handlers_of_one_name_conflict_unless_override():
    from cupola.interfaces import IDocument
    config = Configurator()
    config.add_transfer_handler("same", IDocument, _noop, _noop)
    with pytest.raises(ConfigurationConflict):
        config.add_transfer_handler("same", IDocument, _noop, _noop)
    config.add_transfer_handler("same", IDocument, _noop, _noop, override=True)


def test_a_failing_export_handler_is_named(source, tmp_path):
    with Site(source) as site:
        site["doc"]._notes = "not a dict"  # dict() of it raises ValueError
    with pytest.raises(TransferError, match="'notes_fixture.notes' failed") as caught:
        with Site(source) as site:
            export_tree(source.registry, site["doc"], tmp_path / "bad")
    assert caught.value.where == "/doc"


def test_a_number_json_cannot_hold_is_refused_at_export(source, tmp_path):
    with Site(source) as site:
        site["doc"]._notes = {"notes": {}, "ratio": float("nan")}
    with pytest.raises(TransferError, match="data JSON cannot hold"):
        with Site(source) as site:
            export_tree(source.registry, site["doc"], tmp_path / "nan")
