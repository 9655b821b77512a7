"""A bad export is refused before anything is written, naming the file."""

import json
import shutil

import pytest

from conftest import Site, build_app
from transfer_content import make_sample
from cupola.transfer import TransferError, export_tree, load_export, read_export


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    app = build_app()
    folder = tmp_path_factory.mktemp("pristine") / "export"
    try:
        with Site(app) as site:
            make_sample(app.registry, site)
        with Site(app) as site:
            export_tree(app.registry, site["sub"], folder)
    finally:
        app.db.close()
    return folder


@pytest.fixture
def export(pristine, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(pristine, folder)
    return folder


@pytest.fixture
def app():
    application = build_app()
    yield application
    application.db.close()


def edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def set_key(*keys, value):
    def change(data):
        for key in keys[:-1]:
            data = data[key]
        data[keys[-1]] = value
    return change


CASES = [
    # (what, how to break the export, the file named, words of the message)
    ("broken JSON", lambda e: (e / "sub/inner/deep/_object.json").write_text('{"type": '),
     "sub/inner/deep/_object.json", "not valid JSON: Expecting value at line 1"),
    ("unknown type", lambda e: edit_json(e / "sub/draft/_object.json", set_key("type", value="Gizmo")),
     "sub/draft/_object.json", "'Gizmo', which this site does not know"),
    ("unknown field", lambda e: edit_json(e / "sub/draft/_object.json",
                                          set_key("fields", "colour", value="red")),
     "sub/draft/_object.json", "'colour' is not a field of Page"),
    ("missing title", lambda e: edit_json(e / "sub/draft/_object.json",
                                          set_key("fields", "title", value="")),
     "sub/draft/_object.json", "field 'title': This field is required"),
    ("tags not a list", lambda e: edit_json(e / "sub/minutes/_object.json",
                                            set_key("fields", "subjects", value="board")),
     "sub/minutes/_object.json", "field 'subjects': expected a list"),
    ("bad date", lambda e: edit_json(e / "sub/minutes/_object.json",
                                     set_key("fields", "effective", value="next tuesday")),
     "sub/minutes/_object.json", "'next tuesday' is not a date and time"),
    ("missing file", lambda e: (e / "sub/report/_file.bin").unlink(),
     "sub/report/_object.json", "the file _file.bin is missing"),
    ("damaged file", lambda e: (e / "sub/report/_file.bin").write_bytes(b"x" * 76800),
     "sub/report/_object.json", "_file.bin is damaged"),
    ("not an image", lambda e: ((e / "sub/logo.png/_file.png").write_bytes(b"not a picture"),
                                edit_json(e / "sub/logo.png/_object.json", lambda d: (
                                    d["fields"]["file"].pop("sha256"),
                                    d["fields"]["file"].pop("size")))),
     "sub/logo.png/_object.json", "is not an image Cupola can read"),
    ("folder missing from order", lambda e: shutil.rmtree(e / "sub/draft"),
     "sub/_object.json", "'order' names 'draft' but there is no such folder"),
    ("extra folder", lambda e: shutil.copytree(e / "sub/draft", e / "sub/stray"),
     "sub/_object.json", "'stray' is not in 'order'"),
    ("unknown state", lambda e: edit_json(e / "sub/minutes/_object.json",
                                          set_key("workflow", "state", value="archived")),
     "sub/minutes/_object.json", "has no state 'archived'"),
    ("unknown local role", lambda e: edit_json(e / "sub/_object.json",
                                               set_key("local_roles", "bob", value=["Boss"])),
     "sub/_object.json", "Boss is not a local role"),
    ("item inside a page", lambda e: shutil.copytree(e / "sub/draft", e / "sub/minutes/child"),
     "sub/minutes/_object.json", "a Page holds no items"),
    ("reserved name", lambda e: (shutil.move(e / "sub/draft", e / "sub/view"),
                                 edit_json(e / "sub/_object.json", lambda d: d["order"].__setitem__(
                                     d["order"].index("draft"), "view"))),
     "sub/view", "the name 'view' cannot be used"),
    ("revision out of place", lambda e: edit_json(e / "sub/report/_revisions.json",
                                                  lambda d: d["revisions"].reverse()),
     "sub/report/_revisions.json", "revision 1 must come in position 1"),
    ("file is a link", lambda e: ((e / "sub/report/_file.bin").unlink(),
                                  (e / "sub/report/_file.bin").symlink_to("/etc/hostname")),
     "sub/report/_object.json", "_file.bin is a symbolic link"),
    ("folder is a link", lambda e: (shutil.rmtree(e / "sub/draft"),
                                    (e / "sub/draft").symlink_to(e / "sub/minutes")),
     "sub/draft", "is a symbolic link"),
    ("no manifest", lambda e: (e / "_export.json").unlink(),
     "export", "_export.json is missing"),
    ("newer format", lambda e: edit_json(e / "_export.json", set_key("version", value=99)),
     "export/_export.json", "has version 99"),
]


@pytest.mark.parametrize("what,breaking,named,words", CASES, ids=[c[0] for c in CASES])
def test_a_bad_export_is_refused_naming_the_file(app, export, what, breaking, named, words):
    breaking(export)
    with pytest.raises(TransferError) as caught:
        read_export(app.registry, export)
    message = str(caught.value)
    assert words in message
    assert str(caught.value.where).endswith(named)


def test_a_failure_while_adding_leaves_nothing_behind(export):
    app = build_app("failing_addon")
    try:
        checked = read_export(app.registry, export)
        with pytest.raises(RuntimeError, match="refused"):
            with Site(app) as site:
                load_export(app.registry, site, checked)
        with Site(app) as site:
            assert "sub" not in site
            assert list(site.catalog.search(None, unrestricted=True, path="/sub")) == []
    finally:
        app.db.close()


def test_a_taken_name_is_refused_before_writing(app, export):
    checked = read_export(app.registry, export)
    with Site(app) as site:
        load_export(app.registry, site, checked)
    with pytest.raises(TransferError, match="/sub already exists"):
        with Site(app) as site:
            load_export(app.registry, site, checked)


def test_a_type_the_target_does_not_allow(app, export):
    checked = read_export(app.registry, export)
    with pytest.raises(TransferError, match="cannot go into /welcome"):
        with Site(app) as site:
            load_export(app.registry, site["welcome"], checked)


def test_a_hand_written_export_with_only_the_essentials_imports(app, tmp_path):
    folder = tmp_path / "hand"
    (folder / "docs" / "hello").mkdir(parents=True)
    (folder / "_export.json").write_text(json.dumps(
        {"format": "cupola-export", "version": 1, "root": "docs"}))
    (folder / "docs" / "_object.json").write_text(json.dumps(
        {"type": "Folder", "fields": {"title": "Docs"}, "order": ["hello"]}))
    (folder / "docs" / "hello" / "_object.json").write_text(json.dumps(
        {"type": "Document", "fields": {"title": "Hello", "text": "<p>Hi <script>x()</script></p>",
                                        "subjects": ["greeting"]}}))
    checked = read_export(app.registry, folder)
    with Site(app) as site:
        load_export(app.registry, site, checked)
    with Site(app) as site:
        page = site["docs"]["hello"]
        assert (page.title, page.subjects, page.creator) == ("Hello", ("greeting",), None)
        assert "<script>" not in page.text and "Hi" in page.text  # sanitised on the way in
        assert page.workflow_state == "private"  # the workflow's initial state
        assert [b.path for b in site.catalog.search(None, unrestricted=True,
                                                    subject="greeting")] == ["/docs/hello"]
