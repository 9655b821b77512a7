"""The shipped workflows: who may see, edit and move content in each state."""

import pytest

from cupola.content.document import Document, Link
from cupola.content.file import File, Image
from cupola.content.folder import Folder, Site
from cupola.registry import Configurator, pop_registry, push_registry
from cupola.security.roles import (ACCESS_INACTIVE, ADD, ADD_DOCUMENT,
                                   ADD_FILE, ADD_FOLDER, ANONYMOUS,
                                   CONTRIBUTOR, DELETE, EDITOR, MANAGER,
                                   MODIFY, OWNER, REQUEST_REVIEW, REVIEW,
                                   REVIEWER, SITE_ADMINISTRATOR, VIEW,
                                   VIEW_HISTORY)
from cupola.workflow import engine
from cupola.workflow.builtin import ONE_STATE, SIMPLE_PUBLICATION
from cupola.workflow.model import WorkflowError

M, SA, O, E, R, C = (MANAGER, SITE_ADMINISTRATOR, OWNER, EDITOR, REVIEWER,
                     CONTRIBUTOR)
SITE_GRANTS = {REQUEST_REVIEW: {O, E, C, M, SA}, REVIEW: {R, M, SA}}


class FakeRequest:
    def __init__(self, *roles):
        self.roles = set(roles)


@pytest.fixture
def registry():
    config = Configurator()
    config.include("cupola.content")
    config.include("cupola.workflow")
    push_registry(config.registry)
    yield config.registry
    pop_registry()


@pytest.fixture(autouse=True)
def fake_policy(monkeypatch, registry):
    def has_permission(permission, context, request):
        granted = engine.permission_roles(registry, context, permission)
        if granted is None:
            granted = SITE_GRANTS.get(permission, set())
        return bool(granted & request.roles)

    monkeypatch.setattr("cupola.security.policy.has_permission", has_permission)


def in_state(state, factory=Document):
    obj = Site().add("obj", factory("Obj"))
    obj.workflow_state = state
    return obj


@pytest.mark.parametrize("type_name, factory, workflow", [
    ("Folder", Folder, "simple_publication"),
    ("Document", Document, "simple_publication"),
    ("Link", Link, "simple_publication"),
    ("File", File, "one_state"),
    ("Image", Image, "one_state"),
    ("Site", Site, None),
])
def test_default_workflow_per_type(registry, type_name, factory, workflow):
    found = engine.get_workflow(registry, factory())
    assert (found.name if found else None) == workflow


@pytest.mark.parametrize("state, permission, roles", [
    ("private", VIEW, {M, SA, O, E, C}),
    ("private", ACCESS_INACTIVE, {M, SA, O, E, C}),
    ("private", VIEW_HISTORY, {M, SA, O, E, C}),
    ("private", MODIFY, {M, SA, O, E}),
    ("private", DELETE, {M, SA, O, E}),
    ("pending", VIEW, {M, SA, O, E, R, C}),
    ("pending", ACCESS_INACTIVE, {M, SA, O, E, R, C}),
    ("pending", VIEW_HISTORY, {M, SA, O, E, R, C}),
    ("pending", MODIFY, {M, SA, E, R}),
    ("pending", DELETE, {M, SA, O, E}),
    ("published", VIEW, {ANONYMOUS}),
    ("published", MODIFY, {M, SA, E}),
    ("published", DELETE, {M, SA, E}),
    ("published", ACCESS_INACTIVE, {M, SA, E, R, O}),
    ("published", VIEW_HISTORY, {M, SA, E, R, O}),
    *((state, perm, {M, SA, O, E, C})
      for state in ("private", "pending", "published")
      for perm in (ADD, ADD_FOLDER, ADD_DOCUMENT, ADD_FILE)),
    ("private", REVIEW, None),
    ("private", REQUEST_REVIEW, None),
])
def test_simple_publication_grants(registry, state, permission, roles):
    obj = in_state(state)
    expected = None if roles is None else frozenset(roles)
    assert engine.permission_roles(registry, obj, permission) == expected


@pytest.mark.parametrize("permission, roles", [
    (VIEW, {ANONYMOUS}), (MODIFY, {M, SA, O, E}), (DELETE, {M, SA, O, E}),
    (ADD, None),
])
def test_one_state_grants(registry, permission, roles):
    obj = Site().add("f", File("F"))
    expected = None if roles is None else frozenset(roles)
    assert engine.permission_roles(registry, obj, permission) == expected


def test_one_state_has_no_transitions(registry):
    assert list(ONE_STATE.states) == ["published"]
    assert engine.allowed_transitions(registry, Site().add("f", File("F")),
                                      FakeRequest(M)) == []


def test_transition_titles():
    assert [(t.name, t.title) for t in SIMPLE_PUBLICATION.transitions.values()] == [
        ("submit", "Submit for review"), ("publish", "Publish"),
        ("reject", "Send back"), ("retract", "Retract")]


def test_badges_name_the_states():
    assert [s.badge for s in SIMPLE_PUBLICATION.states.values()] == [
        "private", "pending", "published"]


@pytest.mark.parametrize("state, role, allowed", [
    ("private", O, ["submit"]),
    ("private", C, ["submit"]),
    ("private", E, ["submit"]),
    ("private", R, ["publish"]),
    ("private", M, ["submit", "publish"]),
    ("private", ANONYMOUS, []),
    ("pending", O, []),
    ("pending", R, ["publish", "reject", "retract"]),
    ("pending", E, ["retract"]),
    ("published", O, []),
    ("published", E, ["retract"]),
    ("published", R, []),
    ("published", M, ["retract"]),
])
def test_who_may_do_what(registry, state, role, allowed):
    obj = in_state(state)
    names = [t.name for t in engine.allowed_transitions(registry, obj,
                                                        FakeRequest(role))]
    assert names == allowed


def test_a_page_goes_through_review(registry):
    doc = Site().add("page", Document("Page"))
    engine.do_transition(registry, doc, FakeRequest(O), "submit")
    with pytest.raises(WorkflowError):
        engine.do_transition(registry, doc, FakeRequest(O), "publish")
    engine.do_transition(registry, doc, FakeRequest(R), "reject", "typos")
    engine.do_transition(registry, doc, FakeRequest(O), "submit")
    engine.do_transition(registry, doc, FakeRequest(R), "publish")
    engine.do_transition(registry, doc, FakeRequest(E), "retract")
    assert [(e["action"], e["to"]) for e in engine.history(doc)] == [
        ("create", "private"), ("submit", "pending"), ("reject", "private"),
        ("submit", "pending"), ("publish", "published"),
        ("retract", "private")]
