"""add_addon, scoping of an add-on's registrations, conflicts between add-ons."""

import pytest
from zope.interface import Interface, providedBy
from zope.interface.interface import InterfaceClass

from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.interfaces import IDefaultLayer, IDocument, IViewRegistration
from cupola.registry import Configurator


def view(context, request):
    return "x"


def make_config():
    config = Configurator()
    config.include("cupola.addons")
    return config


def addon(name, *registrations, **declaration):
    def includeme(config):
        config.add_addon(name, **declaration)
        for register in registrations:
            register(config)
    includeme.__qualname__ = f"includeme_{name}"
    return includeme


def shout_view(config, override=False):
    config.add_view(view, "shout", context=IDocument, permission="cupola.View",
                    override=override)


class TestDeclaration:
    def test_declares_name_title_version(self):
        config = make_config()
        config.include(addon("wiki", title="Wiki", version="2.1", description="Pages"))
        info = config.registry.addons["wiki"]
        assert (info.title, info.version, info.description) == ("Wiki", "2.1", "Pages")

    def test_layer_is_made_from_the_name_and_extends_the_default_layer(self):
        config = make_config()
        config.include(addon("my_blog"))
        layer = config.registry.addons["my_blog"].layer
        assert layer.__name__ == "IMyBlogLayer"
        assert layer.extends(IDefaultLayer)

    def test_given_layer_is_kept(self):
        ILayer = InterfaceClass("ILayer", (IDefaultLayer,))
        config = make_config()
        config.include(addon("wiki", layer=ILayer))
        assert config.registry.addons["wiki"].layer is ILayer

    @pytest.mark.parametrize("name", ["Wiki", "1wiki", "wi-ki", "", "cupola", None])
    def test_bad_names_are_refused(self, name):
        with pytest.raises(ConfigurationError):
            make_config().include(addon(name))

    def test_two_addons_of_one_name_conflict(self):
        config = make_config()
        config.include(addon("wiki"))
        second = addon("wiki")
        second.__qualname__ = "another"
        with pytest.raises(ConfigurationConflict):
            config.include(second)

    def test_schema_version_is_recorded(self):
        config = make_config()
        config.include(addon("wiki", schema_version=3))
        assert config.registry.schema_versions == {"cupola": 1, "wiki": 3}

    def test_unknown_dependency_fails_at_commit(self):
        config = make_config()
        config.include(addon("blog", depends=["wiki"]))
        with pytest.raises(ConfigurationError, match="depends on 'wiki', which is not installed"):
            config.commit()

    def test_dependency_cycle_fails_at_commit(self):
        config = make_config()
        config.include(addon("a", depends=["b"]))
        config.include(addon("b", depends=["a"]))
        with pytest.raises(ConfigurationError, match="depends on itself"):
            config.commit()

    def test_registrations_after_include_are_not_the_addons(self):
        config = make_config()
        config.include(addon("wiki"))
        assert config.addon is None
        shout_view(config)
        lookup = config.registry.adapters.registered(
            (IDocument, IDefaultLayer), IViewRegistration, "shout")
        assert lookup is not None


class TestScoping:
    def test_views_go_on_the_addons_layer(self):
        config = make_config()
        config.include(addon("wiki", shout_view))
        layer = config.registry.addons["wiki"].layer
        reg = config.registry.adapters.registered
        assert reg((IDocument, layer), IViewRegistration, "shout") is not None
        assert reg((IDocument, IDefaultLayer), IViewRegistration, "shout") is None

    def test_explicit_layer_is_kept(self):
        config = make_config()
        config.include(addon("wiki", lambda c: c.add_view(
            view, "everywhere", context=IDocument, permission="cupola.View",
            layer=IDefaultLayer)))
        assert config.registry.adapters.registered(
            (IDocument, IDefaultLayer), IViewRegistration, "everywhere") is not None

    def test_types_and_skin_layers_carry_the_addon(self, tmp_path):
        from cupola.content.item import Item
        from cupola.interfaces import IBasicSchema
        config = make_config()
        config.include("cupola.content")
        config.include(addon("wiki",
                             lambda c: c.add_content_type("Page", Item, IBasicSchema,
                                                          addable_in=["Folder"]),
                             lambda c: c.add_skin_layer("wiki", tmp_path)))
        assert config.registry.types["Page"].addon == "wiki"
        assert "Page" in config.registry.types["Folder"].allowed_children
        assert config.registry.skin_layer_addons == {"wiki": "wiki"}

    def test_addable_in_unknown_type_fails(self):
        from cupola.content.item import Item
        from cupola.interfaces import IBasicSchema
        config = make_config()
        with pytest.raises(ConfigurationError, match="no content type 'Shelf'"):
            config.include(addon("wiki", lambda c: c.add_content_type(
                "Page", Item, IBasicSchema, addable_in=["Shelf"])))

    def test_add_addon_after_registrations_is_refused(self):
        config = make_config()

        def includeme(config):
            shout_view(config)
            config.add_addon("late")
        with pytest.raises(ConfigurationError, match="call config.add_addon"):
            config.include_addon(includeme, "late")


class TestConflicts:
    def test_same_view_in_two_addons_conflicts_naming_both_places(self):
        config = make_config()
        config.include(addon("wiki", shout_view))
        with pytest.raises(ConfigurationConflict) as err:
            config.include(addon("blog", shout_view))
        message = str(err.value)
        assert "(add-on wiki)" in message and "(add-on blog)" in message
        assert message.count("test_declaration.py:") == 2

    def test_same_view_twice_in_one_addon_conflicts(self):
        config = make_config()
        with pytest.raises(ConfigurationConflict):
            config.include(addon("wiki", shout_view, shout_view))

    @pytest.mark.parametrize("declaration", [{"depends": ["wiki"]}, {"overrides": ["wiki"]}])
    def test_an_addon_may_replace_what_it_depends_on_or_overrides(self, declaration):
        config = make_config()
        config.include(addon("wiki", shout_view))
        config.include(addon("blog", shout_view, **declaration))
        assert config.registry.addon_claims[
            ("addon-view", IDocument.__identifier__, "shout", "GET")][0].name == "blog"

    def test_the_overriding_addon_may_come_first(self):
        config = make_config()
        config.include(addon("blog", shout_view, overrides=["wiki"]))
        config.include(addon("wiki", shout_view))
        assert config.registry.addon_claims[
            ("addon-view", IDocument.__identifier__, "shout", "GET")][0].name == "blog"

    def test_override_true_replaces(self):
        config = make_config()
        config.include(addon("wiki", shout_view))
        config.include(addon("blog", lambda c: shout_view(c, override=True)))

    def test_core_views_are_not_in_conflict_with_addon_views(self):
        config = make_config()
        shout_view(config)
        config.include(addon("wiki", shout_view))


class TestLayerOrder:
    def test_dependents_come_before_what_they_depend_on(self):
        from cupola.addons.declaration import AddonInfo, ordered
        a = AddonInfo("a")
        b = AddonInfo("b", depends=("a",))
        c = AddonInfo("c", overrides=("b",))
        assert [i.name for i in ordered([a, b, c])] == ["c", "b", "a"]

    def test_winning_addons_view_is_found_when_both_are_active(self):
        from zope.interface import alsoProvides, implementer

        from cupola.registry import ViewInfo  # noqa: F401
        config = make_config()
        config.include(addon("wiki", lambda c: c.add_view(
            lambda ctx, req: "wiki", "shout", context=IDocument, permission="p")))
        config.include(addon("blog", lambda c: c.add_view(
            lambda ctx, req: "blog", "shout", context=IDocument, permission="p"),
            overrides=["wiki"]))
        from cupola.addons.sites import SiteStates

        class FakeSite:
            installed_versions = {"cupola": 1, "blog": 1, "wiki": 1}
        state = SiteStates(config.registry).of(FakeSite())
        assert [layer.__name__ for layer in state.layers] == ["IBlogLayer", "IWikiLayer"]

        @implementer(IDefaultLayer)
        class Request:
            pass

        @implementer(IDocument)
        class Doc:
            pass
        request = Request()
        alsoProvides(request, *state.layers)
        info = config.registry.adapters.lookup(
            (providedBy(Doc()), providedBy(request)), IViewRegistration, "shout")
        assert info.methods["GET"].view(None, None) == "blog"
        assert Interface in providedBy(request).__iro__


class TestExceptionViews:
    def test_an_addons_exception_view_goes_on_its_layer(self):
        from cupola.interfaces import IRequest
        config = make_config()
        config.include(addon("wiki", lambda c: c.add_exception_view(view, context=KeyError)))
        layer = config.registry.addons["wiki"].layer
        reg = config.registry.adapters.registered
        from zope.interface import implementedBy
        assert reg((implementedBy(KeyError), layer), IViewRegistration, "exception")
        assert reg((implementedBy(KeyError), IRequest), IViewRegistration, "exception") is None


class TestTemplateClashes:
    def layer(self, tmp_path, name, *templates):
        folder = tmp_path / name
        folder.mkdir()
        for template in templates:
            (folder / template).write_text("<p>x</p>")
        return lambda config: config.add_skin_layer(name, folder)

    def test_unrelated_addons_shipping_one_template_are_reported(self, tmp_path, caplog):
        config = make_config()
        config.include(addon("wiki", self.layer(tmp_path, "wiki", "shared.pt", "own.pt")))
        config.include(addon("blog", self.layer(tmp_path, "blog", "shared.pt")))
        config.commit()
        warnings = [r.getMessage() for r in caplog.records if r.name == "cupola.addons"]
        assert len(warnings) == 1
        assert "both ship the template shared.pt" in warnings[0]
        assert "own.pt" not in warnings[0]

    def test_an_override_is_not_reported(self, tmp_path, caplog):
        config = make_config()
        config.include(addon("wiki", self.layer(tmp_path, "wiki", "shared.pt")))
        config.include(addon("blog", self.layer(tmp_path, "blog", "shared.pt"),
                             overrides=["wiki"]))
        config.commit()
        assert not [r for r in caplog.records if r.name == "cupola.addons"]
        assert [n for n, _ in config.registry.skin_layers][:2] == ["blog", "wiki"]
