"""Workflow operations on content: initial state, permissions, transitions.

Every function takes the registry explicitly. An object under a workflow
stores two attributes::

    obj.workflow_state    # name of the current State
    obj.workflow_history  # PersistentList of {"action", "actor", "time",
                          #   "from", "to", "comment"}, oldest first
"""

from persistent.list import PersistentList
from zope.interface import alsoProvides

from cupola.content.container import subtree  # noqa: F401 (part of this API)
from cupola.content.events import notify
from cupola.content.item import now
from cupola.interfaces import IContainer, IWorkflowAware
from cupola.workflow.model import ObjectTransitioned, WorkflowError

CREATE = "create"  # the action of the first history entry


def get_workflow(registry, obj):
    """The Workflow of *obj*'s type, or None when its type has none."""
    name = getattr(registry, "workflow_by_type", {}).get(
        getattr(obj, "type_name", None))
    if name is None:
        return None
    return getattr(registry, "workflows", {}).get(name)


def state_of(registry, obj):
    """The current State of *obj*, or None (no workflow, or not initialised)."""
    workflow = get_workflow(registry, obj)
    if workflow is None:
        return None
    return workflow.states.get(getattr(obj, "workflow_state", None))


def initialize(registry, obj, actor=None):
    """Put *obj* in its workflow's initial state unless it has a state.

    Returns the State *obj* is in, or None when its type has no workflow.
    """
    if getattr(obj, "workflow_state", None) is not None:
        return state_of(registry, obj)
    return reset(registry, obj, actor)


def reset(registry, obj, actor=None):
    """Put *obj* in the initial state with a fresh history (used for copies).

    Returns the initial State, or None when its type has no workflow.
    """
    workflow = get_workflow(registry, obj)
    if workflow is None:
        return None
    state = workflow.initial
    obj.workflow_state = state.name
    obj.workflow_history = PersistentList(
        [_entry(CREATE, actor, None, state.name, "")])
    if not IWorkflowAware.providedBy(obj):
        alsoProvides(obj, IWorkflowAware)
    return state


def permission_roles(registry, obj, permission):
    """Roles that *obj*'s current state grants *permission*.

    None when the state does not manage *permission* or *obj* has no
    workflow state: the security policy then asks the parent.
    """
    state = state_of(registry, obj)
    if state is None:
        return None
    return state.permissions.get(permission)


def allowed_transitions(registry, obj, request):
    """Transitions the user of *request* may take on *obj* now, in order."""
    workflow, state = get_workflow(registry, obj), state_of(registry, obj)
    if state is None:
        return []
    return [t for t in workflow.transitions.values()
            if _refusal(t, state, obj, request) is None]


def do_transition(registry, obj, request, name, comment="", actor=None):
    """Take the transition *name* on *obj*; return the new State.

    Raises WorkflowError when *obj* has no workflow state or the transition
    is unknown or not allowed. Records a history entry and fires
    ObjectTransitioned. *actor* defaults to the login of the request's user.
    """
    workflow, state = get_workflow(registry, obj), state_of(registry, obj)
    if workflow is None:
        raise WorkflowError(f"{_describe(obj)} is not under a workflow.")
    if state is None:
        raise WorkflowError(
            f"{_describe(obj)} is in no state of the workflow "
            f"{workflow.title!r}; initialise it first.")
    transition = workflow.transitions.get(name)
    if transition is None:
        raise WorkflowError(
            f"The workflow {workflow.title!r} has no transition {name!r} "
            f"(it has: {', '.join(workflow.transitions) or 'none'}).")
    refusal = _refusal(transition, state, obj, request)
    if refusal is not None:
        raise WorkflowError(f"{transition.title!r} is not possible on "
                            f"{_describe(obj)}: {refusal}.")
    if actor is None:
        actor = _actor(request)
    new = workflow.states[transition.to_state]
    obj.workflow_state = new.name
    _history_of(obj).append(
        _entry(transition.name, actor, state.name, new.name, comment))
    notify(ObjectTransitioned(obj, workflow, transition, state, new,
                              comment, actor))
    return new


def _actor(request):
    """Login of the request's user, or None."""
    if getattr(request, "environ", None) is None:  # not a web request
        return getattr(getattr(request, "user", None), "login", None)
    from cupola.security.auth import authenticated_user
    return getattr(authenticated_user(request), "login", None)


def history(obj):
    """The workflow history of *obj*: a list of dicts, oldest first."""
    return [dict(entry) for entry in getattr(obj, "workflow_history", ())]


def _refusal(transition, state, obj, request):
    """Why *transition* cannot be taken now, or None when it can."""
    from cupola.security.policy import has_permission  # the policy imports us
    if state.name not in transition.from_states:
        return f"its state is {state.title!r}"
    if not has_permission(transition.permission, obj, request):
        return "you are not allowed to do this"
    if transition.condition is not None and not transition.condition(obj, request):
        return "its conditions are not met"
    return None


def _entry(action, actor, from_state, to_state, comment):
    return {"action": action, "actor": actor, "time": now(),
            "from": from_state, "to": to_state, "comment": comment}


def _history_of(obj):
    found = getattr(obj, "workflow_history", None)
    if found is None:
        found = obj.workflow_history = PersistentList()
    return found


def _describe(obj):
    label = getattr(obj, "title", "") or getattr(obj, "__name__", None)
    return f"{getattr(obj, 'type_name', type(obj).__name__)} {label!r}"
