"""``<object>/@@workflow``: the state, the history and one click to change it.

Guarded by ``cupola.ViewHistory``: the page shows who did what and when,
which is what that permission protects; Anonymous is sent to the sign-in
form and a Member who may only view the object gets 403. Each transition
is guarded again by the engine (``allowed_transitions`` lists only those
the user may take; ``do_transition`` refuses the others).
"""

from cupola.admin.forms import AdminView, path_of
from cupola.interfaces import IItem
from cupola.security.audit import audit
from cupola.security.policy import forget, has_permission
from cupola.security.roles import VIEW, VIEW_HISTORY
from cupola.workflow.engine import (allowed_transitions, do_transition,
                                    get_workflow, history, state_of)
from cupola.workflow.model import WorkflowError

DONE = {  # what a transition did, for the status message
    "submit": "Submitted for review.",
    "publish": "Published.",
    "reject": "Sent back to the author.",
    "retract": "Retracted: the item is private again.",
}


class WorkflowView(AdminView):
    template = "workflow.pt"

    def get(self):
        registry, context = self.request.registry, self.context
        workflow = get_workflow(registry, context)
        state = state_of(registry, context)
        entries = []
        for entry in reversed(history(context)):
            entries.append({**entry, "who": self.who(entry.get("actor")),
                            "from_title": self.title_of(workflow, entry.get("from")),
                            "to_title": self.title_of(workflow, entry.get("to")),
                            "action_title": self.action_title(workflow, entry)})
        return self.render({
            "workflow": workflow, "state": state, "history": entries,
            "transitions": allowed_transitions(registry, context, self.request),
            "object_url": self.url(obj=context)})

    def who(self, login):
        if not login:
            return "Cupola"
        user = self.site.users.get(login)
        return user.fullname if user is not None else login

    @staticmethod
    def title_of(workflow, state_name):
        state = workflow.states.get(state_name) if workflow and state_name else None
        return state.title if state is not None else state_name

    @staticmethod
    def action_title(workflow, entry):
        if entry.get("action") == "create":
            return "Created"
        transition = workflow.transitions.get(entry.get("action")) if workflow else None
        return transition.title if transition is not None else entry.get("action")

    def post(self):
        request, context = self.request, self.context
        name = self.text("transition", 100)
        comment = self.text("comment", 2000)
        here = self.url("workflow", obj=context)
        before = state_of(request.registry, context)
        try:
            state = do_transition(request.registry, context, request, name,
                                  comment, actor=getattr(self.user, "login", None))
        except WorkflowError as e:
            return self.redirect(here, str(e), "error")
        forget(request)  # the new state changes what this user may do here
        audit(request, f"workflow.{name}", object=path_of(context),
              title=context.title, transition=transition_title(request, name),
              before=before.name if before else None,
              after=state.name, comment=comment or None)
        message = DONE.get(name, f"Done: the item is now {state.title.lower()}.")
        parent = context.__parent__
        if has_permission(VIEW, context, request):
            target = self.url(obj=context)  # see the result
        elif parent is not None and has_permission(VIEW, parent, request):
            target = self.url(obj=parent)   # e.g. a Reviewer who sent it back
        else:
            target = self.url()
        return self.redirect(target, message)


def transition_title(request, name):
    """The title of transition *name* of the context's workflow."""
    workflow = get_workflow(request.registry, request.context)
    transition = workflow.transitions.get(name) if workflow else None
    return transition.title if transition is not None else name


def includeme(config):
    config.add_view(WorkflowView, "workflow", context=IItem,
                    permission=VIEW_HISTORY, attr="get")
    config.add_view(WorkflowView, "workflow", context=IItem,
                    permission=VIEW_HISTORY, attr="post", request_method="POST")
