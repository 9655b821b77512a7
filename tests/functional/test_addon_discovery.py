"""Add-ons found through the cupola.addons entry point group, with their own skin layer."""

import sys
import textwrap

import pytest


@pytest.fixture
def installed_addon(tmp_path, monkeypatch):
    """A real distribution on sys.path declaring a cupola.addons entry point."""
    pkg = tmp_path / "hello_addon"
    (pkg / "skins" / "hello").mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent('''
        from pathlib import Path
        from cupola.interfaces import IDocument

        def hello(context, request):
            return {"who": context.title}

        def includeme(config):
            config.add_skin_layer("hello", Path(__file__).parent / "skins" / "hello")
            config.add_view(hello, "hello", context=IDocument,
                            permission="cupola.View", template="hello.pt")
    '''))
    (pkg / "skins" / "hello" / "hello.pt").write_text(
        '<metal:page use-macro="layout.macros[\'page\']">'
        '<p metal:fill-slot="main" id="greeting">Hello from ${who}</p></metal:page>')
    dist = tmp_path / "hello_addon-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-addon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[cupola.addons]\nhello = hello_addon:includeme\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("hello_addon", None)


def test_entry_point_addon_is_included(installed_addon):
    from webtest import TestApp
    from conftest import build_app
    app = TestApp(build_app(activate_addons="hello"))
    page = app.get("/welcome/@@hello")
    assert page.html.select_one("#greeting").text == "Hello from Welcome to Cupola"
    assert 'class="site-header"' in page.text  # the core layout still applies


def test_undeclared_addon_is_declared_from_its_entry_point(installed_addon):
    from conftest import build_app
    info = build_app().registry.addons["hello"]
    assert (info.name, info.title, info.version, info.declared) == (
        "hello", "hello-addon", "1.0", False)


def test_entry_point_addon_is_inactive_until_activated(installed_addon):
    from webtest import TestApp
    from conftest import build_app
    TestApp(build_app()).get("/welcome/@@hello", status=404)


def test_discovery_can_be_switched_off(installed_addon):
    from webtest import TestApp
    from conftest import build_app
    app = build_app(discover_addons="false")
    assert "hello" not in app.registry.addons
    TestApp(app).get("/welcome/@@hello", status=404)


def test_addon_layer_overrides_core_templates(tmp_path):
    from webtest import TestApp
    from conftest import build_app
    layer = tmp_path / "custom"
    layer.mkdir()
    (layer / "document_view.pt").write_text(
        '<metal:page use-macro="layout.macros[\'page\']">'
        '<p metal:fill-slot="main" id="custom">Custom ${context.title}</p></metal:page>')
    app = TestApp(build_app(lambda config: config.add_skin_layer("custom", layer)))
    assert app.get("/welcome").html.select_one("#custom").text == "Custom Welcome to Cupola"


def test_an_addon_that_cannot_be_imported_stops_start_up_clearly(tmp_path, monkeypatch):
    from conftest import build_app
    from cupola.exceptions import ConfigurationError
    dist = tmp_path / "gone_addon-2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gone-addon\nVersion: 2.0\n")
    (dist / "entry_points.txt").write_text("[cupola.addons]\ngone = gone_addon:includeme\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigurationError) as err:
        build_app()
    assert str(err.value).startswith(
        "add-on 'gone' (gone_addon:includeme, from the entry point of gone-addon 2.0) "
        "cannot be imported: ")
    with pytest.raises(ConfigurationError, match="from the addons setting"):
        build_app(addons="no_such_package", discover_addons="false")
    build_app(discover_addons="false")  # the way out
