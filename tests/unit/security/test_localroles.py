"""Local roles, inherited down the tree unless a folder blocks them."""

import pytest

from cupola.content.folder import Folder, Site
from cupola.content.document import Document
from cupola.security.localroles import (inherited_local_roles, local_roles,
                                        roles_in_context, set_block_inheritance,
                                        set_local_roles)


@pytest.fixture
def tree():
    site = Site()
    a = site.add("a", Folder("A"), send_events=False)
    b = a.add("b", Folder("B"), send_events=False)
    b.add("doc", Document("D"), send_events=False)
    return site


def test_roles_are_inherited(tree):
    set_local_roles(tree["a"], "ann", ["Editor"])
    assert roles_in_context(tree["a"]["b"]["doc"], ["ann"]) == {"Editor"}
    assert roles_in_context(tree, ["ann"]) == set()


def test_groups_count_as_principals(tree):
    set_local_roles(tree["a"], "staff", ["Reviewer"])
    assert roles_in_context(tree["a"]["b"], ["ann", "staff"]) == {"Reviewer"}


def test_blocking_stops_inheritance_but_keeps_own_roles(tree):
    set_local_roles(tree["a"], "ann", ["Editor"])
    set_local_roles(tree["a"]["b"], "bob", ["Contributor"])
    set_block_inheritance(tree["a"]["b"], True)
    doc = tree["a"]["b"]["doc"]
    assert roles_in_context(doc, ["ann"]) == set()
    assert roles_in_context(doc, ["bob"]) == {"Contributor"}
    assert inherited_local_roles(doc) == [("bob", ("Contributor",), tree["a"]["b"])]


def test_setting_no_roles_removes_them(tree):
    set_local_roles(tree["a"], "ann", ["Editor", "Reviewer"])
    assert local_roles(tree["a"]) == {"ann": ("Editor", "Reviewer")}
    set_local_roles(tree["a"], "ann", [])
    assert local_roles(tree["a"]) == {}


def test_only_local_roles_may_be_given(tree):
    with pytest.raises(ValueError, match="not local roles"):
        set_local_roles(tree["a"], "ann", ["Manager"])
