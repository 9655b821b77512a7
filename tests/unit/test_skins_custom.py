"""The custom skin layer: compiling, storing, reverting; Skins looks there
first and keys its compiled copies on the stored record's serial."""

import pytest
import transaction
from persistent import Persistent
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from cupola.customlayer import (MAX_SOURCE, TemplateRefused, compile_source,
                                query_custom_layer, revert_template, save_template)


class FakeSite(Persistent):
    """Anything persistent can hold a custom layer; the Skins only read it."""


@pytest.fixture
def db():
    database = DB(MappingStorage())
    yield database
    database.close()


@pytest.fixture
def skins(tmp_path):
    from cupola.registry import Configurator
    from cupola.skins import Skins
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "page.pt").write_text("<p>file ${x}</p>")
    (layer / "sub").mkdir()
    (layer / "sub" / "part.pt").write_text("<b>part</b>")
    (layer / "static").mkdir()
    (layer / "static" / "ignored.pt").write_text("<i>static files are no templates</i>")
    config = Configurator()
    config.add_skin_layer("test", layer)
    return Skins(config.registry)


def open_site(db):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    root = conn.root()
    if "site" not in root:
        root["site"] = FakeSite()
        tm.commit()
    return tm, conn, root["site"]


class TestCompile:
    @pytest.mark.parametrize("source, line, column, words", [
        ('<div>\n  <p tal:content="x(">a</p></div>', 2, 18, "never closed"),
        ('<p tal:bogus="x">a</p>', 1, 7, "Bad attribute"),
        ("<p>a</p></div>", 1, 8, "Unexpected end tag"),
    ])
    def test_refused_with_place(self, source, line, column, words):
        with pytest.raises(TemplateRefused) as info:
            compile_source(source)
        error = info.value
        assert (error.line, error.column) == (line, column)
        assert words in error.message
        assert str(error).startswith(f"Line {line}, column {column}: ")

    def test_empty_and_huge_are_refused(self):
        with pytest.raises(TemplateRefused, match="empty"):
            compile_source("  \n ")
        with pytest.raises(TemplateRefused, match="longer than"):
            compile_source("<p>" + "x" * MAX_SOURCE + "</p>")

    def test_a_good_one_renders(self):
        assert compile_source("<p>${x}</p>")(x="<b>") == "<p>&lt;b&gt;</p>"


class TestStore:
    def test_save_update_revert(self, db):
        tm, conn, site = open_site(db)
        assert query_custom_layer(site) is None
        assert save_template(site, "page.pt", "<p>one</p>", origin="test", login="ann")
        assert not save_template(site, "page.pt", "<p>two</p>", login="bob")
        stored = query_custom_layer(site)["page.pt"]
        assert (stored.source, stored.origin, stored.modified_by) == (
            "<p>two</p>", "test", "bob")
        assert revert_template(site, "page.pt")
        assert not revert_template(site, "page.pt")
        tm.abort()
        conn.close()

    def test_nothing_is_stored_when_it_does_not_compile(self, db):
        tm, conn, site = open_site(db)
        save_template(site, "page.pt", "<p>good</p>")
        with pytest.raises(TemplateRefused):
            save_template(site, "page.pt", "<p tal:content='x('>bad</p>")
        assert query_custom_layer(site)["page.pt"].source == "<p>good</p>"
        tm.abort()
        conn.close()


class TestLookup:
    def test_template_names_walk_every_layer_but_static(self, skins):
        assert skins.template_names() == {"page.pt": ["test"], "sub/part.pt": ["test"]}

    def test_the_custom_layer_comes_first_only_with_a_site(self, db, skins):
        tm, conn, site = open_site(db)
        save_template(site, "page.pt", "<p>custom ${x}</p>")
        tm.commit()
        assert skins.template("page.pt", site)(x=1) == "<p>custom 1</p>"
        assert skins.template("page.pt")(x=1) == "<p>file 1</p>"
        assert skins.template("sub/part.pt", site)() == "<b>part</b>"
        conn.close()

    def test_the_compiled_copy_is_kept_until_the_serial_changes(self, db, skins):
        tm, conn, site = open_site(db)
        save_template(site, "page.pt", "<p>one</p>")
        tm.commit()
        first = skins.template("page.pt", site)
        assert skins.template("page.pt", site) is first  # same serial: cached
        # another connection (another process would do the same) changes it
        tm2, conn2, site2 = open_site(db)
        save_template(site2, "page.pt", "<p>two</p>")
        tm2.commit()
        conn2.close()
        tm.begin()  # the next request sees the new state
        second = skins.template("page.pt", site)
        assert second is not first and second() == "<p>two</p>"
        conn.close()

    def test_an_uncommitted_template_is_compiled_without_caching(self, db, skins):
        tm, conn, site = open_site(db)
        save_template(site, "page.pt", "<p>draft</p>")
        assert skins.template("page.pt", site)() == "<p>draft</p>"
        assert skins._custom == {}
        tm.abort()
        conn.close()
