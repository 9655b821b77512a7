"""``@@audit``: the audit log, newest first, as sentences people can read.

Guarded by ``cupola.ManageSite``; filtered by action prefix (``?action=``)
and actor (``?actor=``), 100 entries a page (``?b_start=``).
"""

from datetime import datetime

from cupola.admin.forms import AdminView
from cupola.interfaces import ISite
from cupola.security.audit import KEEP, recent
from cupola.security.roles import MANAGE_SITE
from cupola.views.batch import Batch, read_int

PAGE = 100
FILTERS = (  # (action prefix, label)
    ("", "Everything"), ("login.", "Sign-ins"), ("logout", "Sign-outs"),
    ("user.", "Users"), ("group.", "Groups"), ("roles.", "Roles"),
    ("password.", "Passwords"), ("sessions.", "Sessions"),
    ("token.", "API tokens"), ("workflow.", "Workflow"), ("template.", "Templates"),
)
PAST = {  # workflow.<name>: what the actor did, {o} the object's path
    "submit": "submitted {o} for review", "publish": "published {o}",
    "reject": "sent {o} back", "retract": "retracted {o}",
}


def _names(value):
    if not value:
        return "none"
    return ", ".join(value) if isinstance(value, (list, tuple)) else str(value)


def _changes(entry):
    parts = []
    for field, label in (("fullname", "full name"), ("email", "e-mail")):
        if field in entry:
            parts.append(f"{label} to “{entry[field]}”")
    if "enabled" in entry:
        parts.append("enabled the account" if entry["enabled"] else "disabled the account")
    if entry.get("groups_added"):
        parts.append(f"added to {_names(entry['groups_added'])}")
    if entry.get("groups_removed"):
        parts.append(f"removed from {_names(entry['groups_removed'])}")
    return "; ".join(parts) or _names(entry.get("changed"))


def describe(entry):
    """One sentence for an audit entry: "admin changed roles of bob: …"."""
    action = entry.get("action", "")
    actor = entry.get("actor") or "Someone"
    target = entry.get("target") or "?"
    where = f" on {entry['object']}" if entry.get("object") else ""
    simple = {
        "login.success": f"{actor} signed in",
        "login.failure": f"Failed sign-in as {entry.get('actor') or '(no login)'}",
        "login.throttled": f"Sign-in as {entry.get('actor') or '(no login)'} slowed "
                           "down after too many failures",
        "logout": f"{actor} signed out",
        "user.created": f"{actor} added the user {target} "
                        f"(roles: {_names(entry.get('roles'))})",
        "user.deleted": f"{actor} deleted the user {target}",
        "user.password_reset": f"{actor} set a new password for {target}",
        "password.changed": f"{actor} changed their password",
        "password.change_refused": f"{actor} gave a wrong current password",
        "sessions.revoked": f"{actor} signed out their other browsers",
        "token.created": f"{actor} created the API token “{entry.get('title')}”",
        "token.revoked": f"{actor} revoked the API token “{entry.get('title')}”",
        "group.created": f"{actor} added the group {target}",
        "group.deleted": f"{actor} deleted the group {target}",
        "template.customised": f"{actor} customised the template {target}",
        "template.changed": f"{actor} changed the custom template {target}",
        "template.reverted": f"{actor} reverted the template {target} to its file",
        "content.reverted": f"{actor} reverted {entry.get('object', '?')} to "
                            f"revision {entry.get('revision', '?')}",
        "trash.restored": f"{actor} restored “{entry.get('title', '')}” from the "
                          f"recycle bin to {entry.get('object', '?')}",
        "trash.purged": f"{actor} deleted “{entry.get('title', '')}” "
                        "for good from the recycle bin",
        "trash.emptied": f"{actor} emptied the recycle bin "
                         f"({entry.get('count', 0)} items)",
    }
    if action in simple:
        return simple[action]
    if action == "user.changed":
        return f"{actor} changed {target}: {_changes(entry)}"
    if action == "group.changed":
        return f"{actor} changed the {_names(entry.get('changed'))} of the group {target}"
    if action == "group.members":
        parts = []
        if entry.get("added"):
            parts.append(f"added {_names(entry['added'])} to")
        if entry.get("removed"):
            parts.append(f"removed {_names(entry['removed'])} from")
        return f"{actor} {' and '.join(parts) or 'changed'} the group {target}"
    if action == "roles.changed":
        if "inherit" in entry:
            verb = "blocked" if entry["inherit"] == "blocked" else "restored"
            return f"{actor} {verb} inherited roles{where}"
        return (f"{actor} changed roles of {target}{where}: "
                f"{_roles(entry.get('before'))} → {_roles(entry.get('after'))}")
    if action.startswith("workflow."):
        name = action[len("workflow."):]
        obj = entry.get("object") or "?"
        done = PAST.get(name, "took “{t}” on {o}").format(
            o=obj, t=entry.get("transition") or name)
        states = ""
        if entry.get("before") and entry.get("after"):
            states = f" ({entry['before']} → {entry['after']})"
        comment = f": “{entry['comment']}”" if entry.get("comment") else ""
        return f"{actor} {done}{states}{comment}"
    details = ", ".join(f"{k} {v}" for k, v in entry.items()
                        if k not in ("time", "action", "actor", "address", "path"))
    return f"{actor}: {action}" + (f" ({details})" if details else "")


def _roles(value):
    return ", ".join(value) if value else "—"


def when(entry):
    """(ISO time, "2024-05-01 14:03 UTC") of an entry."""
    raw = entry.get("time", "")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw, raw
    return raw, moment.strftime("%Y-%m-%d %H:%M UTC")


class AuditView(AdminView):
    template = "audit.pt"

    def __call__(self):
        request = self.request
        action = (request.GET.get("action") or "").strip()[:100]
        actor = (request.GET.get("actor") or "").strip()[:100]
        start = read_int(request, "b_start", 0, 0, KEEP)
        found = recent(self.site, start + PAGE + 1, action or None, actor or None)
        items = found[start:start + PAGE]
        batch = Batch(items, start, PAGE, len(found))
        filters = list(FILTERS)
        if action and action not in dict(filters):
            filters.append((action, action))
        query = {k: v for k, v in (("action", action), ("actor", actor)) if v}
        return self.render({
            "rows": [{"entry": e, "text": describe(e), "when": when(e)} for e in items],
            "action": action, "actor": actor, "filters": filters,
            "prev_url": batch.has_previous and self.url(
                "audit", b_start=batch.previous_start, **query) or None,
            "next_url": len(found) > start + PAGE and self.url(
                "audit", b_start=start + PAGE, **query) or None,
            "start": start})


def includeme(config):
    config.add_view(AuditView, "audit", context=ISite, permission=MANAGE_SITE)
