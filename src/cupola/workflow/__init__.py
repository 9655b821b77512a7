"""Workflows: per-type state machines whose states grant permissions to roles.

Definitions live in ``model``, the operations in ``engine``, the shipped
workflows in ``builtin``. Registrations are kept on the registry::

    registry.workflows         # {workflow name: Workflow}
    registry.workflow_by_type  # {type name: workflow name}
"""

import sys

import cupola.registry
from cupola.exceptions import ConfigurationError
from cupola.interfaces import IItem, IObjectAdded, IObjectCopied, IWorkflow
from cupola.workflow import builtin, engine
from cupola.workflow.model import Workflow


def add_workflow(config, workflow, override=False):
    """Register *workflow* under its name.

    Raises ConfigurationConflict when the name is taken, unless *override*.
    """
    if not isinstance(workflow, Workflow):
        raise ConfigurationError(f"not a Workflow: {workflow!r}")
    config._claim(("workflow", workflow.name), _origin(), override)
    _workflows(config.registry)[workflow.name] = workflow
    config.registry.registerUtility(workflow, IWorkflow, workflow.name)
    return workflow


def set_workflow(config, type_name, workflow_name, override=False):
    """Give content of *type_name* the registered workflow *workflow_name*.

    ``None`` takes the type out of any workflow. Raises ConfigurationError
    for an unregistered workflow (add it first) and ConfigurationConflict
    when the type already has one, unless *override*.
    """
    known = _workflows(config.registry)
    if workflow_name is not None and workflow_name not in known:
        raise ConfigurationError(
            f"set_workflow({type_name!r}, {workflow_name!r}): no workflow "
            f"{workflow_name!r} is registered; call add_workflow first")
    config._claim(("workflow-for-type", type_name), _origin(), override)
    by_type = _by_type(config.registry)
    if workflow_name is None:
        by_type.pop(type_name, None)
    else:
        by_type[type_name] = workflow_name


def _workflows(registry):
    return registry.__dict__.setdefault("workflows", {})


def _by_type(registry):
    return registry.__dict__.setdefault("workflow_by_type", {})


def _origin():
    """File and line of the registration, past ``Configurator.add_workflow``."""
    frame = sys._getframe(2)
    while (frame.f_back is not None
           and frame.f_code.co_filename == cupola.registry.__file__
           and frame.f_code.co_name in ("add_workflow", "set_workflow")):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


# -- event subscribers ---------------------------------------------------------

def on_added(obj, event):
    """Put new content (and anything inside it) in its initial state."""
    registry = cupola.registry.query_current_registry()
    if registry is not None:
        for node in engine.subtree(obj):
            engine.initialize(registry, node, getattr(node, "creator", None))


def on_copied(obj, event):
    """A copy starts over: initial state and a fresh history, subtree too."""
    registry = cupola.registry.query_current_registry()
    if registry is not None:
        for node in engine.subtree(obj):
            engine.reset(registry, node, getattr(node, "creator", None))


def includeme(config):
    for workflow in builtin.WORKFLOWS:
        add_workflow(config, workflow)
    for type_name, workflow_name in builtin.DEFAULTS.items():
        set_workflow(config, type_name, workflow_name)
    config.add_subscriber(on_added, IItem, IObjectAdded)
    config.add_subscriber(on_copied, IItem, IObjectCopied)
