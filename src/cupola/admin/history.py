"""``<object>/@@history``: what changed, who did it, and going back.

``@@history`` (``cupola.ViewHistory``) lists the revisions of
``cupola.content.revisions`` merged with the workflow transitions of
``obj.workflow_history``, newest first, 20 a page (``?b_start=``), each as
a sentence ("Ann changed Title, Body text"). POSTing ``revision`` (and an
optional ``comment``) to it reverts to that revision (``cupola.ModifyContent``),
which is itself a new revision.

``@@history-diff?a=3&b=5`` (or ``?compare=3:5``) shows what differs
between two revisions, field by field (computed by ``cupola.admin.diffs``):
words inserted and deleted in text, paragraphs of the body text compared
one by one, tags added and removed, a file's name and size, referenced
items by title. ``a=0`` compares with nothing (what revision 1 started with).
"""

import re

from cupola.admin.diffs import field_diff
from cupola.admin.forms import AdminView, doom, path_of
from cupola.content import revisions as R
from cupola.content.operations import FieldErrors
from cupola.exceptions import NotFound
from cupola.interfaces import IItem
from cupola.security.audit import audit
from cupola.security.policy import has_permission
from cupola.security.roles import MODIFY, VIEW_HISTORY
from cupola.views.batch import Batch, read_int
from cupola.workflow.engine import get_workflow, history as workflow_history

PAGE = 20
SELECT_LIMIT = 200  # revisions offered in the compare form's lists
_PARENTHESIS = re.compile(r"\s*\([^)]*\)$")  # "Body text (HTML)" -> "Body text"
DID = {  # what a transition did, after the actor's name
    "submit": "submitted it for review", "publish": "published it",
    "reject": "sent it back", "retract": "retracted it",
}


# -- words ------------------------------------------------------------------

def when(moment):
    """(ISO time, "28 Nov 2026 15:42 UTC") of an aware datetime."""
    if moment is None:
        return "", "unknown time"
    return moment.isoformat(), moment.strftime("%-d %b %Y %H:%M UTC")


def field_titles(registry, obj):
    """{field name: title people read} of *obj*'s type."""
    info = registry.types.get(getattr(obj, "type_name", None))
    titles = {}
    if info is not None:
        for name in info.schema.names(all=True):
            title = getattr(info.schema[name], "title", "") or name
            titles[name] = _PARENTHESIS.sub("", str(title)) or name
    return titles


def listed(titles):
    """"Title", "Title and Body text", "Title, Tags and Body text"."""
    titles = list(titles)
    if len(titles) < 2:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} and {titles[-1]}"


# -- views ------------------------------------------------------------------

class HistoryBase(AdminView):

    def who(self, login):
        if not login:
            return "Cupola"  # as on @@workflow: done by the system
        user = self.site.users.get(login)
        return (user.fullname or login) if user is not None else login

    @property
    def titles(self):
        found = self.__dict__.get("_titles")
        if found is None:
            found = self.__dict__["_titles"] = field_titles(
                self.request.registry, self.context)
        return found

    def title_of(self, field):
        return self.titles.get(field) or field.replace("_", " ").capitalize()

    def diff_url(self, a, b):
        return self.url("history-diff", obj=self.context, a=a, b=b)

    def may_revert(self):
        return has_permission(MODIFY, self.context, self.request)

    def revision_info(self, revision):
        iso, text = when(revision.time)
        return {"number": revision.number, "who": self.who(revision.actor),
                "iso": iso, "when": text, "comment": revision.comment,
                "action": revision.action}


class HistoryView(HistoryBase):
    template = "history.pt"

    def get(self):
        context = self.context
        count = R.count(context)
        current = self.current_number()
        start = read_int(self.request, "b_start", 0, 0)
        entries, total = self.timeline(start, PAGE, current)
        if start and start >= total:
            start = 0
            entries, total = self.timeline(0, PAGE, current)
        batch = Batch(entries, start, PAGE, total)
        here = "history"
        return self.render({
            "entries": entries, "batch": batch, "count": count,
            "object_url": self.url(obj=context),
            "prev_url": batch.has_previous and self.url(
                here, obj=context, b_start=batch.previous_start) or None,
            "next_url": batch.has_next and self.url(
                here, obj=context, b_start=batch.next_start) or None,
            "choices": self.choices(count),
            # by default: the latest change of a field, up to now
            "default_a": max(1, (current or count) - 1), "default_b": count,
            "may_revert": self.may_revert()})

    def current_number(self):
        """The newest revision that set fields: reverting to it does nothing."""
        for revision in R.newest_first(self.context):
            if revision.fields:
                return revision.number
        return 0

    def timeline(self, start, size, current):
        """(entries start..start+size, total) of revisions and transitions
        merged newest first; only the revisions of that window are loaded."""
        context = self.context
        has_revisions = R.count(context) > 0
        flows = [e for e in reversed(workflow_history(context))
                 if not (has_revisions and e.get("action") == "create")]
        total = R.count(context) + len(flows)
        workflow = get_workflow(self.request.registry, context)
        revisions = R.newest_first(context)
        revision, found, position, i = next(revisions, None), [], 0, 0
        while len(found) < size and (revision is not None or i < len(flows)):
            flow = flows[i] if i < len(flows) else None
            take_flow = flow is not None and (
                revision is None or (flow.get("time") and revision.time
                                     and flow["time"] > revision.time))
            if position >= start:
                found.append(self.flow_entry(flow, workflow) if take_flow
                             else self.revision_entry(revision, current))
            if take_flow:
                i += 1
            else:
                revision = next(revisions, None)
            position += 1
        return found, total

    def revision_entry(self, revision, current):
        entry = self.revision_info(revision)
        fields = [self.title_of(f) for f in revision.fields]
        action, number = revision.action, revision.number
        if action == R.CREATE:
            summary = "created it"
        elif action == R.COPY:
            summary = "created it as a copy"
        elif action == R.BASELINE:
            summary = "Earliest known version"
        elif action == R.DELETE:
            summary = "moved it to the recycle bin"
        elif action == R.RESTORE:
            summary = "restored it from the recycle bin"
        elif action == R.REVERT:
            summary = (f"reverted it to revision {revision.reverted_to}: "
                       f"{listed(fields)}")
        else:
            summary = f"changed {listed(fields)}"
        entry.update(kind="revision", summary=summary, fields=fields,
                     current=number == current,
                     compare_url=None, compare_label=None,
                     revertible=bool(revision.fields) and number != current)
        if revision.fields:
            if number > 1:
                entry.update(compare_url=self.diff_url(number - 1, number),
                             compare_label="Compare with previous")
            else:
                entry.update(compare_url=self.diff_url(0, 1),
                             compare_label="Show what it started with")
        if action == R.BASELINE:
            entry["who"] = ""
        return entry

    def flow_entry(self, flow, workflow):
        iso, text = when(flow.get("time"))
        name = flow.get("action")
        transition = workflow.transitions.get(name) if workflow else None
        title = transition.title if transition is not None else name
        if name == "create":
            summary = "created it"
        else:
            summary = DID.get(name, f"took “{title}”")
        return {"kind": "transition", "who": self.who(flow.get("actor")),
                "iso": iso, "when": text, "comment": flow.get("comment") or "",
                "summary": summary,
                "from": self.state_title(workflow, flow.get("from")),
                "to": self.state_title(workflow, flow.get("to"))}

    @staticmethod
    def state_title(workflow, name):
        state = workflow.states.get(name) if workflow and name else None
        return state.title if state is not None else name

    def choices(self, count):
        """[(number, label)] for the compare form, newest first; [] when the
        history is too long for a list (the form asks for numbers)."""
        if count > SELECT_LIMIT:
            return []
        return [(r.number, f"{r.number} · "
                 f"{'earliest' if r.action == R.BASELINE else self.who(r.actor)} · "
                 f"{r.time.strftime('%-d %b %Y %H:%M')}")
                for r in R.newest_first(self.context)]

    def post(self):
        context, request = self.context, self.request
        here = self.url("history", obj=context)
        try:
            number = int(self.form.get("revision") or "")
        except ValueError:
            number = None
        comment = self.text("comment", 2000)
        if number is None or R.query_revision(context, number) is None:
            doom(request)
            return self.redirect(here, "There is no such revision to go back to.",
                                 "error")
        try:
            changed = R.revert(request.registry, context, number,
                               actor=getattr(self.user, "login", None),
                               comment=comment)
        except FieldErrors as e:
            doom(request)
            return self.redirect(here, f"Revision {number} cannot be brought back: "
                                       f"{e}", "error")
        if not changed:
            return self.redirect(here, f"Nothing to revert: it already has the "
                                       f"values of revision {number}.", "info")
        audit(request, "content.reverted", object=path_of(context),
              title=context.title, revision=number,
              fields=[self.title_of(f) for f in changed])
        return self.redirect(here, f"Reverted to revision {number}: "
                                   f"{listed(self.title_of(f) for f in changed)} "
                                   f"{'is' if len(changed) == 1 else 'are'} back "
                                   "as they were.")


class DiffView(HistoryBase):
    template = "history_diff.pt"

    def numbers(self):
        """(a, b) from ``?a=&b=`` or ``?compare=a:b``, older first."""
        params = self.request.GET
        raw = params.get("compare")
        pair = raw.split(":", 1) if raw and ":" in raw else \
            (params.get("a"), params.get("b"))
        try:
            a, b = (int(x) for x in pair)
        except (TypeError, ValueError):
            raise NotFound("Choose two revisions to compare.") from None
        count = R.count(self.context)
        for n in (a, b):
            if not 0 <= n <= count:
                raise NotFound(f"This item has no revision {n}.")
        return (a, b) if a <= b else (b, a)

    def __call__(self):
        context = self.context
        a, b = self.numbers()
        count = R.count(context)
        before, after = R.state_at(context, a), R.state_at(context, b)
        order = list(dict.fromkeys([*after, *before]))
        fields = [field_diff(f, self.title_of(f), self.readable(f, before.get(f)),
                             self.readable(f, after.get(f)))
                  for f in order if before.get(f) != after.get(f)]
        older = R.get_revision(context, a) if a else None
        newer = R.get_revision(context, b)
        single = b == a + 1
        return self.render({
            "a": a, "b": b, "count": count, "fields": fields,
            "older": self.revision_info(older) if older else None,
            "newer": self.revision_info(newer),
            "history_url": self.url("history", obj=context),
            "object_url": self.url(obj=context),
            "earlier_url": self.diff_url(a - 1, a) if single and a >= 1 else None,
            "later_url": self.diff_url(b, b + 1) if single and b < count else None,
            "may_revert": self.may_revert() and a >= 1 and fields,
            "same": a == b})


    def readable(self, name, value):
        """References (stored uuids) as the titles of what they point at."""
        info = self.request.registry.types.get(getattr(self.context, "type_name", None))
        field = info.schema.get(name) if info is not None else None
        if field is None or field.queryTaggedValue("cupola.widget") not in (
                "reference", "references") or not value:
            return value
        from cupola.content.references import find_by_uuid
        single = isinstance(value, str)
        titles = []
        for uid in ((value,) if single else value):
            target = find_by_uuid(self.site, uid)
            titles.append("(an item that no longer exists)" if target is None
                          else target.title or target.__name__)
        return titles[0] if single else tuple(titles)


def includeme(config):
    config.add_view(HistoryView, "history", context=IItem,
                    permission=VIEW_HISTORY, attr="get")
    config.add_view(HistoryView, "history", context=IItem, permission=MODIFY,
                    attr="post", request_method="POST")
    config.add_view(DiffView, "history-diff", context=IItem,
                    permission=VIEW_HISTORY)
