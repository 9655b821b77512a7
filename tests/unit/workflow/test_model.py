"""Workflow definitions: State, Transition, Workflow, their checks and event."""

from dataclasses import FrozenInstanceError

import pytest
from zope.interface.verify import verifyObject

from cupola.exceptions import ConfigurationError, CupolaError
from cupola.interfaces import IObjectTransitioned, IWorkflow
from cupola.workflow.model import (InvalidWorkflow, ObjectTransitioned, State,
                                   Transition, Workflow, WorkflowError)


def make_workflow(states=None, transitions=None, initial="a"):
    states = states or (State("a", "A"), State("b", "B"))
    transitions = (transitions if transitions is not None
                   else (Transition("go", "Go", ("a",), "b", "p"),))
    return Workflow("w", "W", states, transitions, initial)


class TestState:
    def test_roles_become_frozensets(self):
        state = State("a", "A", {"p": ["Manager", "Owner"]})
        assert state.permissions["p"] == frozenset({"Manager", "Owner"})

    def test_permissions_are_read_only(self):
        state = State("a", "A", {"p": {"Manager"}})
        with pytest.raises(TypeError):
            state.permissions["q"] = frozenset()

    def test_permissions_do_not_follow_the_given_dict(self):
        grants = {"p": {"Manager"}}
        state = State("a", "A", grants)
        grants["q"] = {"Owner"}
        assert "q" not in state.permissions

    def test_attributes_are_frozen(self):
        with pytest.raises(FrozenInstanceError):
            State("a", "A").name = "b"

    def test_badge_defaults_to_name(self):
        assert State("pending", "Pending").badge == "pending"
        assert State("draft", "Draft", badge="private").badge == "private"

    def test_roles_given_as_a_string_are_refused(self):
        with pytest.raises(InvalidWorkflow, match="not the string 'Manager'"):
            State("a", "A", {"p": "Manager"})

    def test_hashable(self):
        assert len({State("a", "A", {"p": {"Manager"}})}) == 1


class TestTransition:
    def test_from_states_become_a_tuple(self):
        assert Transition("t", "T", ["a", "b"], "c", "p").from_states == ("a", "b")

    def test_from_states_as_a_string_are_refused(self):
        with pytest.raises(InvalidWorkflow, match="from_states of transition 't'"):
            Transition("t", "T", "a", "b", "p")

    def test_condition_must_be_callable(self):
        with pytest.raises(InvalidWorkflow, match="not callable"):
            Transition("t", "T", ("a",), "b", "p", condition=True)

    def test_attributes_are_frozen(self):
        with pytest.raises(FrozenInstanceError):
            Transition("t", "T", ("a",), "b", "p").to_state = "a"


class TestWorkflow:
    def test_provides_IWorkflow(self):
        assert verifyObject(IWorkflow, make_workflow())

    def test_states_and_transitions_by_name_in_order(self):
        wf = make_workflow()
        assert list(wf.states) == ["a", "b"]
        assert list(wf.transitions) == ["go"]
        assert wf.initial is wf.states["a"]

    def test_is_immutable(self):
        wf = make_workflow()
        with pytest.raises(AttributeError, match="immutable"):
            wf.initial_state = "b"
        with pytest.raises(TypeError):
            wf.states["c"] = State("c", "C")

    @pytest.mark.parametrize("kwargs, message", [
        ({"states": (State("a", "A"), State("a", "Again"))},
         "workflow 'w' has two states named 'a'"),
        ({"transitions": (Transition("go", "Go", ("a",), "b", "p"),
                          Transition("go", "Again", ("b",), "a", "p"))},
         "workflow 'w' has two transitions named 'go'"),
        ({"transitions": (Transition("go", "Go", ("x",), "b", "p"),)},
         "transition 'go' names the unknown state 'x'"),
        ({"transitions": (Transition("go", "Go", ("a",), "y", "p"),)},
         "transition 'go' names the unknown state 'y'"),
        ({"initial": "z"}, "initial state 'z' is not one of its states"),
    ])
    def test_contradictions_are_refused(self, kwargs, message):
        with pytest.raises(InvalidWorkflow, match=message):
            make_workflow(**kwargs)

    def test_needs_a_state(self):
        with pytest.raises(InvalidWorkflow, match="has no states"):
            Workflow("w", "W", (), (), "a")

    def test_invalid_workflow_is_a_value_and_configuration_error(self):
        assert issubclass(InvalidWorkflow, ValueError)
        assert issubclass(InvalidWorkflow, ConfigurationError)


class TestErrorsAndEvent:
    def test_workflow_error_is_a_cupola_error(self):
        assert issubclass(WorkflowError, CupolaError)

    def test_object_transitioned_provides_its_interface(self):
        wf = make_workflow()
        event = ObjectTransitioned(object(), wf, wf.transitions["go"],
                                   wf.states["a"], wf.states["b"], "ok", "ann")
        assert verifyObject(IObjectTransitioned, event)
        assert (event.from_state.name, event.to_state.name) == ("a", "b")
        assert (event.comment, event.actor) == ("ok", "ann")
