"""Workflow engine and registration: initial state, permissions, transitions."""

from datetime import timezone

import pytest
import transaction
from persistent.list import PersistentList
from ZODB import DB

from cupola import workflow
from cupola.content import operations as ops
from cupola.content.document import Document
from cupola.content.file import File
from cupola.content.folder import Folder, Site
from cupola.exceptions import ConfigurationConflict, ConfigurationError
from cupola.interfaces import IObjectTransitioned, IWorkflow, IWorkflowAware
from cupola.registry import Configurator, pop_registry, push_registry
from cupola.security import roles as R
from cupola.workflow import engine
from cupola.workflow.model import State, Transition, Workflow, WorkflowError

# Who holds the guard permissions where no state manages them (a fake role map).
SITE_GRANTS = {
    R.REQUEST_REVIEW: {R.OWNER, R.EDITOR, R.CONTRIBUTOR, R.MANAGER},
    R.REVIEW: {R.REVIEWER, R.MANAGER},
}


class FakeUser:
    def __init__(self, login):
        self.login = login


class FakeRequest:
    """Carries the roles the fake policy grants by, and maybe a user."""

    def __init__(self, *roles, user=None):
        self.roles = set(roles)
        if user is not None:
            self.user = FakeUser(user)


@pytest.fixture
def config():
    config = Configurator()
    config.include("cupola.content")
    config.include("cupola.workflow")
    push_registry(config.registry)
    yield config
    pop_registry()


@pytest.fixture
def registry(config):
    return config.registry


@pytest.fixture(autouse=True)
def fake_policy(monkeypatch):
    """Grant by the request's roles: the state's map first, then SITE_GRANTS."""
    from cupola.registry import query_current_registry

    def has_permission(permission, context, request):
        granted = engine.permission_roles(query_current_registry(), context,
                                          permission)
        if granted is None:
            granted = SITE_GRANTS.get(permission, set())
        return bool(granted & request.roles)

    monkeypatch.setattr("cupola.security.policy.has_permission", has_permission)


@pytest.fixture
def events(config):
    seen = []
    config.add_subscriber(seen.append, IObjectTransitioned)
    return seen


def added_document(creator="ann"):
    site = Site()
    doc = Document("About us")
    doc.creator = creator
    site.add("about", doc)
    return doc


class TestRegistration:
    def make_workflow(self, name="review"):
        return Workflow(name, "Review", (State("draft", "Draft"),), (), "draft")

    def test_add_workflow_stores_it_and_a_utility(self, config):
        wf = workflow.add_workflow(config, self.make_workflow())
        assert config.registry.workflows["review"] is wf
        assert config.registry.getUtility(IWorkflow, "review") is wf

    def test_add_workflow_twice_conflicts_naming_both_places(self, config):
        workflow.add_workflow(config, self.make_workflow())
        with pytest.raises(ConfigurationConflict) as info:
            workflow.add_workflow(config, self.make_workflow())
        assert info.value.first.startswith(__file__)
        assert info.value.second.startswith(__file__)

    def test_conflicts_name_the_caller_of_a_configurator_wrapper(self, config):
        import cupola.registry
        # a thin Configurator.add_workflow, as compiled in registry.py
        namespace = {"real": workflow.add_workflow}
        wrapper = "def add_workflow(config, wf):\n    return real(config, wf)\n"
        exec(compile(wrapper, cupola.registry.__file__, "exec"), namespace)
        namespace["add_workflow"](config, self.make_workflow())
        assert config.registry._origins[("workflow", "review")].startswith(
            __file__)

    def test_add_workflow_with_override_replaces(self, config):
        workflow.add_workflow(config, self.make_workflow())
        second = workflow.add_workflow(config, self.make_workflow(), override=True)
        assert config.registry.workflows["review"] is second

    def test_add_workflow_refuses_other_objects(self, config):
        with pytest.raises(ConfigurationError, match="not a Workflow"):
            workflow.add_workflow(config, {"name": "x"})

    def test_set_workflow_maps_a_type(self, config):
        workflow.add_workflow(config, self.make_workflow())
        workflow.set_workflow(config, "Recipe", "review")
        assert config.registry.workflow_by_type["Recipe"] == "review"

    def test_set_workflow_needs_a_registered_workflow(self, config):
        with pytest.raises(ConfigurationError, match="call add_workflow first"):
            workflow.set_workflow(config, "Recipe", "nope")

    def test_set_workflow_twice_conflicts(self, config):
        workflow.add_workflow(config, self.make_workflow())
        with pytest.raises(ConfigurationConflict):
            workflow.set_workflow(config, "Document", "review")

    def test_set_workflow_with_override_replaces(self, config):
        workflow.add_workflow(config, self.make_workflow())
        workflow.set_workflow(config, "Document", "review", override=True)
        assert engine.get_workflow(config.registry, Document()).name == "review"

    def test_set_workflow_none_takes_a_type_out(self, config):
        workflow.set_workflow(config, "File", None, override=True)
        assert engine.get_workflow(config.registry, File()) is None

    def test_registry_without_workflows_knows_none(self):
        assert engine.get_workflow(Configurator().registry, Document()) is None


class TestInitialize:
    def test_sets_initial_state_and_create_entry(self, registry):
        doc = Document()
        state = engine.initialize(registry, doc, actor="ann")
        assert state.name == doc.workflow_state == "private"
        [entry] = doc.workflow_history
        assert {k: v for k, v in entry.items() if k != "time"} == {
            "action": "create", "actor": "ann", "from": None,
            "to": "private", "comment": ""}
        assert entry["time"].tzinfo is timezone.utc
        assert isinstance(doc.workflow_history, PersistentList)

    def test_marks_the_object_workflow_aware(self, registry):
        doc = Document()
        engine.initialize(registry, doc)
        assert IWorkflowAware.providedBy(doc)

    def test_keeps_an_existing_state(self, registry):
        doc = Document()
        doc.workflow_state = "published"
        assert engine.initialize(registry, doc).name == "published"
        assert not hasattr(doc, "workflow_history")

    def test_type_without_workflow_is_left_alone(self, registry):
        site = Site()
        assert engine.initialize(registry, site) is None
        assert not hasattr(site, "workflow_state")

    def test_reset_starts_over(self, registry):
        doc = Document()
        engine.initialize(registry, doc)
        doc.workflow_state = "published"
        assert engine.reset(registry, doc, "bob").name == "private"
        assert [e["actor"] for e in doc.workflow_history] == ["bob"]


class TestSubscribers:
    def test_added_content_starts_in_initial_state(self, registry):
        site = Site()
        folder = site.add("docs", Folder("Docs"))
        doc = Document("Page")
        doc.creator = "ann"
        folder.add("page", doc)
        assert (folder.workflow_state, doc.workflow_state) == ("private", "private")
        assert [(e["action"], e["actor"]) for e in engine.history(doc)] == [
            ("create", "ann")]

    def test_created_content_records_its_creator(self, registry):
        site = Site()
        doc = ops.create(registry, site, "Document", {"title": "Hi"},
                         creator="ann")
        assert engine.history(doc)[0]["actor"] == "ann"

    def test_file_starts_published(self, registry):
        site = Site()
        assert site.add("f", File("F")).workflow_state == "published"

    def test_a_folder_added_with_children_initialises_them(self, registry):
        folder = Folder("Docs")
        folder.add("page", Document("Page"), send_events=False)
        Site().add("docs", folder)
        assert folder["page"].workflow_state == "private"

    def test_copy_starts_over_with_its_subtree(self, registry):
        site = Site()
        folder = site.add("docs", Folder("Docs"))
        page = folder.add("page", Document("Page"))
        for obj in (folder, page):
            engine.do_transition(registry, obj, FakeRequest(R.REVIEWER), "publish")
        clone = ops.copy(registry, folder, site, "docs-copy")
        for obj in (clone, clone["page"]):
            assert obj.workflow_state == "private"
            assert [e["action"] for e in engine.history(obj)] == ["create"]
        assert page.workflow_state == "published"
        assert len(page.workflow_history) == 2

    def test_no_current_registry_no_change(self):
        doc = Document()
        Site().add("d", doc)
        assert not hasattr(doc, "workflow_state")


class TestPermissionRoles:
    def test_state_grants(self, registry):
        doc = added_document()
        assert engine.permission_roles(registry, doc, R.VIEW) >= {R.OWNER}
        assert R.ANONYMOUS not in engine.permission_roles(registry, doc, R.VIEW)

    def test_unmanaged_permission_is_none(self, registry):
        assert engine.permission_roles(registry, added_document(),
                                       R.MANAGE_USERS) is None

    def test_no_workflow_is_none(self, registry):
        assert engine.permission_roles(registry, Site(), R.VIEW) is None

    def test_unknown_state_is_none(self, registry):
        doc = added_document()
        doc.workflow_state = "gone"
        assert engine.state_of(registry, doc) is None
        assert engine.permission_roles(registry, doc, R.VIEW) is None


class TestTransitions:
    def names(self, registry, obj, request):
        return [t.name for t in engine.allowed_transitions(registry, obj, request)]

    def test_allowed_follow_state_and_permission(self, registry):
        doc = added_document()
        assert self.names(registry, doc, FakeRequest(R.OWNER)) == ["submit"]
        assert self.names(registry, doc, FakeRequest(R.REVIEWER)) == ["publish"]
        assert self.names(registry, doc, FakeRequest(R.ANONYMOUS)) == []

    def test_condition_can_refuse(self, config):
        wf = Workflow("gated", "Gated", (State("a", "A"), State("b", "B")), (
            Transition("go", "Go", ("a",), "b", R.REVIEW,
                       condition=lambda obj, request: obj.title == "ready"),),
            "a")
        workflow.add_workflow(config, wf)
        workflow.set_workflow(config, "Document", "gated", override=True)
        doc, request = added_document(), FakeRequest(R.REVIEWER)
        assert self.names(config.registry, doc, request) == []
        with pytest.raises(WorkflowError, match="conditions are not met"):
            engine.do_transition(config.registry, doc, request, "go")
        doc.title = "ready"
        assert self.names(config.registry, doc, request) == ["go"]

    def test_do_transition_changes_state_and_records(self, registry):
        doc = added_document()
        new = engine.do_transition(registry, doc, FakeRequest(R.OWNER, user="ann"),
                                   "submit", comment="please")
        assert new.name == doc.workflow_state == "pending"
        entry = engine.history(doc)[-1]
        assert {k: v for k, v in entry.items() if k != "time"} == {
            "action": "submit", "actor": "ann", "from": "private",
            "to": "pending", "comment": "please"}
        assert entry["time"].tzinfo is timezone.utc

    def test_explicit_actor_wins(self, registry):
        doc = added_document()
        engine.do_transition(registry, doc, FakeRequest(R.OWNER, user="ann"),
                             "submit", actor="system")
        assert engine.history(doc)[-1]["actor"] == "system"

    def test_actor_is_none_without_user(self, registry):
        doc = added_document()
        engine.do_transition(registry, doc, FakeRequest(R.OWNER), "submit")
        assert engine.history(doc)[-1]["actor"] is None

    def test_fires_object_transitioned(self, registry, events):
        doc = added_document()
        engine.do_transition(registry, doc, FakeRequest(R.OWNER, user="ann"),
                             "submit", comment="c")
        [event] = events
        assert event.object is doc
        assert (event.workflow.name, event.transition.name) == (
            "simple_publication", "submit")
        assert (event.from_state.name, event.to_state.name) == (
            "private", "pending")
        assert (event.comment, event.actor) == ("c", "ann")

    @pytest.mark.parametrize("roles, name, message", [
        ((R.MANAGER,), "fly", "has no transition 'fly' .*submit, publish"),
        ((R.MANAGER,), "reject", "'Send back' is not possible on Document "
                                 "'About us': its state is 'Private'"),
        ((R.OWNER,), "publish", "you are not allowed"),
    ])
    def test_refused_transitions(self, registry, events, roles, name, message):
        doc = added_document()
        with pytest.raises(WorkflowError, match=message):
            engine.do_transition(registry, doc, FakeRequest(*roles), name)
        assert doc.workflow_state == "private"
        assert len(doc.workflow_history) == 1
        assert events == []

    def test_object_without_workflow_is_refused(self, registry):
        with pytest.raises(WorkflowError, match="not under a workflow"):
            engine.do_transition(registry, Site(), FakeRequest(R.MANAGER),
                                 "publish")

    def test_object_without_state_is_refused(self, registry):
        with pytest.raises(WorkflowError, match="initialise it first"):
            engine.do_transition(registry, Document(), FakeRequest(R.MANAGER),
                                 "publish")

    def test_history_is_a_copy(self, registry):
        doc = added_document()
        engine.history(doc)[0]["actor"] = "mallory"
        engine.history(doc).clear()
        assert [e["actor"] for e in engine.history(doc)] == ["ann"]

    def test_history_of_plain_object_is_empty(self):
        assert engine.history(Document()) == []


class TestPersistence:
    def test_state_and_history_survive_a_commit(self, registry):
        db = DB(None)
        try:
            conn = db.open(transaction_manager=transaction.TransactionManager())
            site = conn.root()["site"] = Site()
            doc = Document("About")
            doc.creator = "ann"
            site.add("about", doc)
            engine.do_transition(registry, doc,
                                 FakeRequest(R.REVIEWER, user="rita"), "publish")
            conn.transaction_manager.commit()

            # a second connection while the first is open: nothing cached
            fresh = db.open(transaction_manager=transaction.TransactionManager())
            loaded = fresh.root()["site"]["about"]
            assert loaded is not doc
            assert loaded.workflow_state == "published"
            assert [(e["action"], e["actor"]) for e in engine.history(loaded)] == [
                ("create", "ann"), ("publish", "rita")]
            assert isinstance(loaded.workflow_history, PersistentList)
            assert IWorkflowAware.providedBy(loaded)
            engine.do_transition(registry, loaded, FakeRequest(R.EDITOR), "retract")
            fresh.transaction_manager.commit()

            conn.transaction_manager.begin()  # see the other connection's commit
            assert doc.workflow_state == "private"
            assert len(doc.workflow_history) == 3
            conn.close()
            fresh.close()
        finally:
            db.close()
