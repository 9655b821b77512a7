"""The registry and the Configurator: views, types, conflicts, events."""

import pytest
from zope.interface import Interface, implementer

from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.interfaces import IDefaultLayer
from cupola.registry import Configurator


class IAnimal(Interface):
    pass


class IDog(IAnimal):
    pass


@implementer(IDog)
class Dog:
    pass


@implementer(IDefaultLayer)
class FakeRequest:
    pass


def view_a(context, request):
    return "a"


def view_b(context, request):
    return "b"


class TestViews:
    def make_one(self):
        return Configurator()

    def test_most_specific_interface_wins(self):
        config = self.make_one()
        config.add_view(view_a, "v", context=IAnimal, permission="p")
        config.add_view(view_b, "v", context=IDog, permission="p")
        info = config.registry.query_view(Dog(), FakeRequest(), "v")
        assert info.methods["GET"].view is view_b

    def test_unknown_name_gives_none(self):
        config = self.make_one()
        assert config.registry.query_view(Dog(), FakeRequest(), "nope") is None

    def test_get_implies_head(self):
        config = self.make_one()
        info = config.add_view(view_a, "v", context=IDog, permission="p")
        assert info.allowed == ["GET", "HEAD"]

    def test_methods_can_have_different_callables(self):
        config = self.make_one()
        config.add_view(view_a, "v", context=IDog, permission="p")
        info = config.add_view(view_b, "v", context=IDog, permission="p",
                               request_method="POST")
        assert info.methods["POST"].view is view_b
        assert info.methods["GET"].view is view_a

    def test_a_view_without_permission_is_refused(self):
        with pytest.raises(ConfigurationError, match="declares no permission"):
            self.make_one().add_view(view_a, "v", context=IDog, permission=None)

    def test_conflict_names_both_places(self):
        config = self.make_one()
        config.add_view(view_a, "v", context=IDog, permission="p")
        with pytest.raises(ConfigurationConflict) as err:
            config.add_view(view_b, "v", context=IDog, permission="p")
        assert str(err.value).count("test_registry.py") == 2

    def test_override_replaces(self):
        config = self.make_one()
        config.add_view(view_a, "v", context=IDog, permission="p")
        config.add_view(view_b, "v", context=IDog, permission="p", override=True)
        info = config.registry.query_view(Dog(), FakeRequest(), "v")
        assert info.methods["GET"].view is view_b

    def test_resolve_dotted(self):
        from cupola.registry import resolve
        assert resolve("cupola.content.folder:Folder").__name__ == "Folder"
        assert resolve("cupola.content.folder.Folder").__name__ == "Folder"
        with pytest.raises(ConfigurationError, match="cannot import"):
            resolve("cupola.nothing:here")


class TestTypes:
    def test_content_type_is_a_utility_and_in_types(self):
        from cupola.interfaces import ITypeInfo
        config = Configurator()
        config.include("cupola.content")
        info = config.registry.getUtility(ITypeInfo, "Document")
        assert info is config.registry.types["Document"]
        assert info.add_permission == "cupola.AddDocument"
        assert config.registry.types["Folder"].allows("Document")
        assert not info.allows("Folder")

    def test_duplicate_type_conflicts(self):
        config = Configurator()
        config.include("cupola.content")
        from cupola.content.document import Document
        from cupola.interfaces import IDocumentSchema
        with pytest.raises(ConfigurationConflict):
            config.add_content_type("Document", Document, IDocumentSchema)

    def test_include_twice_runs_once(self):
        config = Configurator()
        config.include("cupola.content")
        config.include("cupola.content")  # no conflict


class TestSubscribers:
    def test_object_events_reach_handlers_for_the_object_type(self):
        from cupola.content.document import Document
        from cupola.content.folder import Folder
        from cupola.interfaces import IDocument, IObjectAdded
        from cupola.registry import pop_registry, push_registry
        seen = []
        config = Configurator()
        config.add_subscriber(lambda obj, event: seen.append(obj.title),
                              IDocument, IObjectAdded)
        push_registry(config.registry)
        try:
            folder = Folder("f")
            folder.add("d", Document("doc"))
            folder.add("g", Folder("not a document"))
        finally:
            pop_registry()
        assert seen == ["doc"]


class TestSkinLayers:
    def test_later_layers_win(self, tmp_path):
        from cupola.skins import Skins
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "a" / "x.pt").write_text("<p>a</p>")
        (tmp_path / "b" / "x.pt").write_text("<p>b</p>")
        (tmp_path / "a" / "only_a.pt").write_text("<p>only a</p>")
        config = Configurator()
        config.add_skin_layer("a", tmp_path / "a")
        config.add_skin_layer("b", tmp_path / "b")
        skins = Skins(config.registry)
        assert skins.template("x.pt")().strip() == "<p>b</p>"
        assert skins.template("only_a.pt")().strip() == "<p>only a</p>"

    def test_missing_folder_is_an_error(self, tmp_path):
        with pytest.raises(ConfigurationError, match="no folder"):
            Configurator().add_skin_layer("x", tmp_path / "missing")

    def test_default_skins_are_found_from_the_package(self):
        from cupola.skins import default_skins_dir
        assert (default_skins_dir() / "public" / "main_template.pt").is_file()


class TestCatalogIndexes:
    def getter(self, obj, registry):
        return getattr(obj, "price", None)

    def test_an_addon_index_and_column_are_registered(self):
        config = Configurator()
        config.add_catalog_index("price", "field", self.getter)
        config.add_catalog_column("price", self.getter)
        assert config.registry.catalog_indexes["price"].kind == "field"
        assert "price" in config.registry.catalog_columns

    def test_two_claims_on_one_index_name_conflict_naming_both(self):
        config = Configurator()
        config.add_catalog_index("price", "field", self.getter)
        with pytest.raises(ConfigurationConflict) as err:
            config.add_catalog_index("price", "keyword", self.getter)
        assert str(err.value).count("test_registry.py") == 2

    def test_override_replaces_on_purpose(self):
        config = Configurator()
        config.add_catalog_index("price", "field", self.getter)
        config.add_catalog_index("price", "keyword", self.getter, override=True)
        assert config.registry.catalog_indexes["price"].kind == "keyword"

    @pytest.mark.parametrize("name, kind", [("price", "fuzzy"), ("path", "field"),
                                            ("not a name", "field")])
    def test_bad_definitions_are_refused(self, name, kind):
        with pytest.raises(ConfigurationError):
            Configurator().add_catalog_index(name, kind, self.getter)

    def test_a_column_cannot_shadow_brain_attributes(self):
        with pytest.raises(ConfigurationError):
            Configurator().add_catalog_column("getObject", self.getter)
