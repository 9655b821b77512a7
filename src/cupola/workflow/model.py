"""Workflow definitions: states, transitions, workflows; their errors and event.

Definitions are plain immutable objects built once at start-up and shared
by every thread; only an object's state name and history are stored in
the database.
"""

from dataclasses import dataclass, field
from types import MappingProxyType

from zope.interface import implementer
from zope.interface.interfaces import ObjectEvent

from cupola.exceptions import ConfigurationError, CupolaError
from cupola.interfaces import IObjectTransitioned, IWorkflow


class WorkflowError(CupolaError):
    """A transition that is unknown or not allowed for this object now."""


class InvalidWorkflow(ConfigurationError, ValueError):
    """A workflow definition that contradicts itself."""


def _names(value, what):
    """A tuple of names; a lone string is refused (it would iterate chars)."""
    if isinstance(value, str):
        raise InvalidWorkflow(f"{what} must be a collection of names, "
                              f"not the string {value!r}")
    return tuple(value)


@dataclass(frozen=True, eq=False)
class State:
    """A state and the roles it grants each permission it manages.

    Permissions missing from *permissions* are not managed by the state:
    the security policy asks the parent for them.
    """

    name: str
    title: str
    permissions: dict = field(default_factory=dict)  # {permission: roles}
    badge: str = None  # CSS hint: "private", "pending", "published", ...

    def __post_init__(self):
        grants = {perm: frozenset(_names(roles, f"roles of {perm!r} in "
                                         f"state {self.name!r}"))
                  for perm, roles in dict(self.permissions).items()}
        object.__setattr__(self, "permissions", MappingProxyType(grants))
        object.__setattr__(self, "badge", self.badge or self.name)

    def __repr__(self):
        return f"<State {self.name!r}>"


@dataclass(frozen=True, eq=False)
class Transition:
    """A move from any of *from_states* to *to_state*, guarded by a permission.

    *condition*, when given, is ``condition(obj, request) -> bool``.
    """

    name: str
    title: str
    from_states: tuple
    to_state: str
    permission: str
    condition: object = None

    def __post_init__(self):
        object.__setattr__(self, "from_states", _names(
            self.from_states, f"from_states of transition {self.name!r}"))
        if self.condition is not None and not callable(self.condition):
            raise InvalidWorkflow(f"condition of transition {self.name!r} "
                                  f"is not callable: {self.condition!r}")

    def __repr__(self):
        return f"<Transition {self.name!r}>"


@implementer(IWorkflow)
class Workflow:
    """States and transitions of one workflow; checked when built.

    Raises InvalidWorkflow (a ValueError) on duplicate names, transitions
    naming unknown states, or an unknown initial state.
    """

    __slots__ = ("name", "title", "states", "transitions", "initial_state")

    def __init__(self, name, title, states, transitions, initial_state):
        states, transitions = tuple(states), tuple(transitions)
        where = f"workflow {name!r}"
        if not states:
            raise InvalidWorkflow(f"{where} has no states")
        by_state = _unique(states, "state", where)
        for t in transitions:
            for state in (*t.from_states, t.to_state):
                if state not in by_state:
                    raise InvalidWorkflow(
                        f"{where}: transition {t.name!r} names the unknown "
                        f"state {state!r} (states: {', '.join(by_state)})")
        if initial_state not in by_state:
            raise InvalidWorkflow(
                f"{where}: the initial state {initial_state!r} is not one of "
                f"its states ({', '.join(by_state)})")
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "title", title)
        set_(self, "states", MappingProxyType(by_state))
        set_(self, "transitions", MappingProxyType(
            _unique(transitions, "transition", where)))
        set_(self, "initial_state", initial_state)

    def __setattr__(self, name, value):
        raise AttributeError(f"Workflow {self.name!r} is immutable")

    @property
    def initial(self):
        """The State new content starts in."""
        return self.states[self.initial_state]

    def __repr__(self):
        return f"<Workflow {self.name!r}>"


def _unique(items, kind, where):
    found = {}  # {name: item}, in the given order
    for item in items:
        if item.name in found:
            raise InvalidWorkflow(f"{where} has two {kind}s named {item.name!r}")
        found[item.name] = item
    return found


@implementer(IObjectTransitioned)
class ObjectTransitioned(ObjectEvent):
    """*obj* went from *from_state* to *to_state* through *transition*."""

    def __init__(self, obj, workflow, transition, from_state, to_state,
                 comment="", actor=None):
        super().__init__(obj)
        self.workflow, self.transition = workflow, transition
        self.from_state, self.to_state = from_state, to_state
        self.comment, self.actor = comment, actor
