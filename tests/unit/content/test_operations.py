"""Content operations: names, create, edit, rename, move, copy, delete, events."""

import pytest

from cupola.content import operations as ops
from cupola.content.document import Document
from cupola.content.folder import Folder, Site
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.registry import Configurator, pop_registry, push_registry


@pytest.fixture
def registry():
    config = Configurator()
    config.include("cupola.content")
    events = config.registry.events = []
    from cupola.interfaces import IItem
    from zope.interface.interfaces import IObjectEvent
    config.add_subscriber(lambda obj, ev: events.append(
        (type(ev).__name__, obj.__name__)), IItem, IObjectEvent)
    push_registry(config.registry)
    yield config.registry
    pop_registry()


@pytest.fixture
def site():
    s = Site()
    s.add("docs", Folder("Docs"), send_events=False)
    return s


class TestNames:
    @pytest.mark.parametrize("name, message", [
        ("", "required"), ("  x", "spaces"), ("a/b", "slashes"),
        ("a\\b", "slashes"), ("_hidden", "start with"), (".dot", "start with"),
        ("@@view", "start with '@'"), ("a++b", "contain"), ("x\x07", "control"),
        ("x" * 201, "at most"), ("view", "reserved"), ("docs", "already"),
    ])
    def test_bad_names(self, site, name, message):
        with pytest.raises(InvalidName, match=message):
            ops.check_name(site, name)

    def test_good_name(self, site):
        ops.check_name(site, "a-good_name.html")

    @pytest.mark.parametrize("title, slug", [
        ("Über uns!", "uber-uns"), ("  Hello   World ", "hello-world"),
        ("", "item"), ("???", "item"), ("日本語", "item"), ("a_b-c", "a-b-c"),
    ])
    def test_slugify(self, title, slug):
        assert ops.slugify(title) == slug

    def test_chosen_names_are_unique(self, site):
        assert ops.choose_name(site, "Docs") == "docs-2"
        assert ops.choose_name(site, "View") == "view-1"


class TestCreateEdit:
    def test_create_validates_names_and_fires_events(self, registry, site):
        doc = ops.create(registry, site["docs"], "Document",
                         {"title": "Hello there", "text": "<p>x</p>"})
        assert doc.__name__ == "hello-there" and doc.text == "<p>x</p>"
        assert registry.events == [("ObjectWillBeAdded", None),
                                   ("ObjectAdded", "hello-there")]

    def test_missing_required_field(self, registry, site):
        with pytest.raises(ops.FieldErrors) as err:
            ops.create(registry, site, "Document", {"title": ""})
        assert "title" in err.value.errors
        assert len(site) == 1  # nothing stored

    def test_type_not_allowed(self, registry, site):
        doc = ops.create(registry, site, "Document", {"title": "D"})
        with pytest.raises(NotAllowedHere):
            ops.create(registry, doc, "Document", {"title": "E"})
        with pytest.raises(NotAllowedHere):
            ops.create(registry, site, "Site", {"title": "S"})
        with pytest.raises(NotAllowedHere):
            ops.create(registry, site, "Nope", {"title": "S"})

    def test_edit_reports_changes_and_fires_modified(self, registry, site):
        doc = ops.create(registry, site, "Document", {"title": "D"})
        registry.events.clear()
        assert ops.edit(registry, doc, {"title": "D", "description": "new"}) == ["description"]
        assert registry.events == [("ObjectModified", "d")]
        assert ops.edit(registry, doc, {"title": "D"}) == []

    def test_invalid_link_url(self, registry, site):
        with pytest.raises(ops.FieldErrors) as err:
            ops.create(registry, site, "Link", {"title": "L", "url": "not a url"})
        assert "url" in err.value.errors


class TestMoveCopyDelete:
    def test_rename_keeps_position_and_fires_moved(self, registry, site):
        ops.create(registry, site, "Document", {"title": "A"})
        registry.events.clear()
        ops.rename(site["docs"], "documents")
        assert list(site.keys()) == ["documents", "a"]
        assert registry.events == [("ObjectWillBeMoved", "docs"),
                                   ("ObjectMoved", "documents")]

    def test_rename_to_bad_name(self, registry, site):
        with pytest.raises(InvalidName):
            ops.rename(site["docs"], "@@x")

    def test_move_into_other_folder(self, registry, site):
        doc = ops.create(registry, site, "Document", {"title": "A"})
        ops.move(registry, doc, site["docs"])
        assert doc.__parent__ is site["docs"] and "a" not in site

    def test_folder_cannot_move_into_itself(self, registry, site):
        inner = ops.create(registry, site["docs"], "Folder", {"title": "In"})
        with pytest.raises(NotAllowedHere):
            ops.move(registry, site["docs"], inner)

    def test_copy_is_deep_and_independent(self, registry, site):
        ops.create(registry, site["docs"], "Document", {"title": "A", "text": "<p>1</p>"})
        clone = ops.copy(registry, site["docs"], site)
        assert clone.__name__ == "docs-2" and clone["a"].text == "<p>1</p>"
        clone["a"].text = "<p>2</p>"
        assert site["docs"]["a"].text == "<p>1</p>"
        assert clone["a"].__parent__ is clone and clone.__parent__ is site

    def test_copy_of_file_copies_the_blob(self, registry):
        import transaction
        from ZODB import DB
        from cupola.db.storage import _with_blobs
        from ZODB.MappingStorage import MappingStorage
        from cupola.content.file import File
        db = DB(_with_blobs(MappingStorage()))
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        with tm:
            s = conn.root()["s"] = Site()
            s.add("f", File("F", "", b"data", "a.txt"))
        with tm:
            clone = ops.copy(registry, s["f"], s)
        with tm:
            with clone.open() as f:
                assert f.read() == b"data"
            assert clone.blob is not s["f"].blob
        db.close()

    def test_delete(self, registry, site):
        ops.delete(site["docs"])
        assert "docs" not in site
        with pytest.raises(NotAllowedHere):
            ops.delete(site)
