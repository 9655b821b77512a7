"""Traversal: names by __getitem__, views by @@, namespaces by ++, never attributes."""

import pytest

from cupola.content.document import Document
from cupola.content.folder import Folder, Site
from cupola.exceptions import BadRequest
from cupola.registry import Configurator
from cupola.traversal import resource_path, split_path, traverse


@pytest.fixture
def tree():
    site = Site()
    site.add("a", Folder("A"), send_events=False)
    site["a"].add("doc", Document("Doc"), send_events=False)
    return site


@pytest.fixture
def registry():
    return Configurator().registry


@pytest.mark.parametrize("path, context, view, subpath, ns", [
    ("", "", "", (), None),
    ("a", "a", "", (), None),
    ("a/doc", "doc", "", (), None),
    ("a/doc/@@edit", "doc", "edit", (), None),
    ("a/@@contents/x/y", "a", "contents", ("x", "y"), None),
    ("a/doc/history", "doc", "history", (), None),
    ("a/missing/more", "a", "missing", ("more",), None),
    ("++resource++cupola/x.css", "", "cupola", ("x.css",), "resource"),
    ("a/++add++Document", "a", "Document", (), "add"),
    ("a/doc/__class__", "doc", "__class__", (), None),
    ("a/doc/text", "doc", "text", (), None),
])
def test_table(tree, registry, path, context, view, subpath, ns):
    found = traverse(tree, split_path(path), registry)
    assert (found.context.__name__ or "") == context
    assert (found.view_name, found.subpath, found.namespace) == (view, subpath, ns)


def test_dot_dot_is_refused():
    with pytest.raises(BadRequest):
        split_path("a/../b")


def test_dots_and_empty_segments_are_dropped():
    assert split_path("/a//./b/") == ["a", "b"]


def test_too_many_segments():
    with pytest.raises(BadRequest):
        split_path("/".join(["a"] * 65))


def test_registered_traverser_is_used(tree, registry):
    from zope.interface import implementer
    from cupola.interfaces import IDocument, ITraversable
    from cupola.registry import Configurator

    @implementer(ITraversable)
    class Pages:
        def __init__(self, context):
            self.context = context

        def traverse(self, name, request):
            if name == "page-2":
                return self.context
            raise KeyError(name)

    config = Configurator(registry=registry)
    config.add_traverser(Pages, IDocument)
    found = traverse(tree, ["a", "doc", "page-2"], registry)
    assert found.context is tree["a"]["doc"] and found.view_name == ""


def test_resource_path_quotes_names(tree):
    tree["a"].add("ü x", Document("U"), send_events=False)
    assert resource_path(tree["a"]["ü x"]) == "/a/%C3%BC%20x"
    assert resource_path(tree) == "/"


@pytest.mark.parametrize("header, name, value", [
    ("a=1; cupola_session=abc.def; b=2", "cupola_session", "abc.def"),
    ('x="quoted"', "x", "quoted"),
    ("cupola_session_old=1; cupola_session=2", "cupola_session", "2"),
    ("other=1", "cupola_session", None),
    ("", "x", None),
])
def test_request_cookie_scan(header, name, value):
    from cupola.request import Request
    request = Request({"HTTP_COOKIE": header, "REQUEST_METHOD": "GET"})
    assert request.cookie(name) == value
