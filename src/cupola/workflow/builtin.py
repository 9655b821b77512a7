"""The workflows Cupola ships: ``simple_publication`` and ``one_state``.

``simple_publication`` (Folder, Document, Link)::

    state      VIEW, ACCESS_INACTIVE,   MODIFY               DELETE
               VIEW_HISTORY
    private    M SA O E C               M SA O E             M SA O E
    pending    M SA O E R C             M SA E R             M SA O E
    published  Anonymous (VIEW);        M SA E               M SA E
               M SA E R O (the others)

    ADD, ADD_FOLDER, ADD_DOCUMENT, ADD_FILE: M SA O E C in every state.
    M Manager, SA Site Administrator, O Owner, E Editor, R Reviewer,
    C Contributor.

    transition  title              from               to         guard
    submit      Submit for review  private            pending    REQUEST_REVIEW
    publish     Publish            private, pending   published  REVIEW
    reject      Send back          pending            private    REVIEW
    retract     Retract            pending, published private    MODIFY

``one_state`` (File, Image): a single state ``published`` where VIEW is
Anonymous and MODIFY and DELETE are M SA O E; no transitions.

The guards REQUEST_REVIEW and REVIEW are not managed by the states: who
holds them comes from the site's role map (through the parents).
"""

from cupola.security.roles import (ACCESS_INACTIVE, ADD, ADD_DOCUMENT,
                                   ADD_FILE, ADD_FOLDER, ANONYMOUS,
                                   CONTRIBUTOR, DELETE, EDITOR, MANAGER,
                                   MODIFY, OWNER, REQUEST_REVIEW, REVIEW,
                                   REVIEWER, SITE_ADMINISTRATOR, VIEW,
                                   VIEW_HISTORY)
from cupola.workflow.model import State, Transition, Workflow

STAFF = frozenset({MANAGER, SITE_ADMINISTRATOR})
AUTHORS = STAFF | {OWNER, EDITOR, CONTRIBUTOR}
ADD_PERMISSIONS = (ADD, ADD_FOLDER, ADD_DOCUMENT, ADD_FILE)


def _grants(view, modify, delete, inactive=None):
    """A state's permission map: VIEW_HISTORY goes with ACCESS_INACTIVE."""
    inactive = view if inactive is None else inactive
    grants = {VIEW: view, ACCESS_INACTIVE: inactive, VIEW_HISTORY: inactive,
              MODIFY: modify, DELETE: delete}
    grants.update((perm, AUTHORS) for perm in ADD_PERMISSIONS)
    return grants


PRIVATE = State("private", "Private", _grants(
    view=AUTHORS,
    modify=STAFF | {OWNER, EDITOR},
    delete=STAFF | {OWNER, EDITOR}), badge="private")

PENDING = State("pending", "Pending review", _grants(
    view=AUTHORS | {REVIEWER},
    modify=STAFF | {EDITOR, REVIEWER},
    delete=STAFF | {OWNER, EDITOR}), badge="pending")

PUBLISHED = State("published", "Published", _grants(
    view={ANONYMOUS},
    modify=STAFF | {EDITOR},
    delete=STAFF | {EDITOR},
    inactive=STAFF | {EDITOR, REVIEWER, OWNER}), badge="published")

SIMPLE_PUBLICATION = Workflow(
    "simple_publication", "Simple publication",
    states=(PRIVATE, PENDING, PUBLISHED),
    transitions=(
        Transition("submit", "Submit for review", ("private",), "pending",
                   REQUEST_REVIEW),
        Transition("publish", "Publish", ("private", "pending"), "published",
                   REVIEW),
        Transition("reject", "Send back", ("pending",), "private", REVIEW),
        Transition("retract", "Retract", ("pending", "published"), "private",
                   MODIFY),
    ),
    initial_state="private")

ONE_STATE = Workflow(
    "one_state", "One state",
    states=(State("published", "Published", {
        VIEW: {ANONYMOUS},
        MODIFY: STAFF | {OWNER, EDITOR},
        DELETE: STAFF | {OWNER, EDITOR},
    }, badge="published"),),
    transitions=(),
    initial_state="published")

WORKFLOWS = (SIMPLE_PUBLICATION, ONE_STATE)
DEFAULTS = {  # {type name: workflow name}
    "Folder": "simple_publication",
    "Document": "simple_publication",
    "Link": "simple_publication",
    "File": "one_state",
    "Image": "one_state",
}
