"""Managing groups: list, add, edit (title, roles, members), delete.

``@@groups``, ``@@add-group``, ``@@edit-group?id=``, ``@@delete-group?id=``
on the site, guarded by ``cupola.ManageUsers``. Groups may contain users
and other groups; a member that would make a loop is refused. Only a
Manager may change a group that grants Manager (directly or through the
groups that contain it).
"""

import re

from cupola.admin.forms import AdminView, doom, field_list, require
from cupola.admin.principals import group_grants_manager
from cupola.exceptions import NotFound
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.roles import GLOBAL_ROLES, MANAGE_USERS, MANAGER
from cupola.security.users import (LOGIN_RE, add_group, add_member,
                                   delete_group, expand_groups, groups_folder,
                                   remove_member)
from cupola.views.batch import Batch, read_int

PAGE = 50
NO_MANAGER = "Only a Manager may change a group whose members are Managers."


class GroupsView(AdminView):
    """``@@groups``: every group with its roles and number of members."""

    template = "groups.pt"

    def __call__(self):
        groups = list(groups_folder(self.site).values())
        start = read_int(self.request, "b_start", 0, 0, max(0, len(groups) - 1))
        batch = Batch(groups[start:start + PAGE], start, PAGE, len(groups))
        return self.render({"batch": batch, "rows": [
            {"group": g, "count": len(g.members), "roles": list(g.roles),
             "edit_url": self.url("edit-group", id=g.id)} for g in batch.items]})


class GroupForm(AdminView):
    template = "group_form.pt"

    def target(self):
        group_id = self.request.param("id") or ""
        group = groups_folder(self.site).get(group_id)
        if group is None:
            raise NotFound(f"There is no group {group_id!r}.")
        return group

    def may_change(self, group):
        require(self.is_manager() or not group_grants_manager(self.site, group.id),
                NO_MANAGER)

    def read_common(self, errors):
        data = {"title": self.text("title"),
                "description": self.text("description", 1000),
                "roles": [r for r in field_list(self.request, "roles")
                          if r in GLOBAL_ROLES]}
        if MANAGER in data["roles"] and not self.is_manager():
            errors["roles"] = "Only a Manager may give the Manager role."
        return data

    def show(self, values, errors=None):
        manager = self.is_manager()
        roles = values.get("roles", ())
        return self.render({
            "values": values, "errors": errors or {}, "mode": self.mode,
            "role_options": [{"name": r, "checked": r in roles,
                              "disabled": r == MANAGER and not manager}
                             for r in GLOBAL_ROLES],
            "members": self.members(values.get("group")),
            "cancel_url": self.url("groups")})

    def members(self, group):
        """[{id, title, kind, checked}] of *group*'s members, users first."""
        if group is None:
            return []
        users, groups = self.site.users, groups_folder(self.site)
        rows = []
        for member in group.members:
            if member in users:
                rows.append({"id": member, "title": users[member].fullname,
                             "kind": "user"})
            elif member in groups:
                rows.append({"id": member, "title": groups[member].title,
                             "kind": "group"})
        rows.sort(key=lambda r: (r["kind"] != "user", r["id"].lower()))
        return rows


class AddGroupView(GroupForm):
    """``@@add-group``: id, title, description, roles; members come next."""

    mode = "add"

    def get(self):
        return self.show({"id": "", "title": "", "description": "", "roles": []})

    def post(self):
        errors = {}
        data = self.read_common(errors)
        group_id = data["id"] = self.text("id", 100)
        if not LOGIN_RE.match(group_id):
            errors["id"] = ("Use letters, digits and . _ @ + - only, "
                            "starting with a letter or digit.")
        elif group_id in groups_folder(self.site) or group_id in self.site.users:
            errors["id"] = f"The name “{group_id}” is taken."
        if errors:
            doom(self.request)
            return self.show(data, errors)
        add_group(self.site, group_id, data["title"], data["roles"],
                  data["description"])
        audit(self.request, "group.created", target=group_id, roles=data["roles"])
        return self.redirect(self.url("edit-group", id=group_id),
                             f"Added the group “{group_id}”. Now add its members.")


SEPARATORS = re.compile(r"[\s,;]+")


class EditGroupView(GroupForm):
    """``@@edit-group?id=``: title, description, roles; add and remove members."""

    mode = "edit"

    def get(self):
        group = self.target()
        self.may_change(group)
        return self.show({"id": group.id, "title": group.title,
                          "description": group.description,
                          "roles": list(group.roles), "group": group, "add": ""})

    def post(self):
        group = self.target()
        self.may_change(group)
        errors = {}
        data = self.read_common(errors)
        data.update(id=group.id, group=group,
                    add=self.text("add", 2000))
        to_add = [n for n in SEPARATORS.split(data["add"]) if n]
        to_remove = [m for m in field_list(self.request, "remove")
                     if m in group.members]
        problems = [self.problem(group, name) for name in to_add]
        if any(problems):
            errors["add"] = " ".join(p for p in problems if p)
        if errors:
            doom(self.request)
            return self.show(data, errors)
        changed = self.apply(group, data, to_add, to_remove)
        if not changed:
            return self.redirect(self.url("edit-group", id=group.id),
                                 "Nothing to save: no field was changed.", "info")
        return self.redirect(self.url("groups"),
                             f"Saved the changes to the group “{group.id}”.")

    def problem(self, group, name):
        """Why *name* cannot join *group*, or None."""
        site = self.site
        if name in site.users:
            return None
        if name not in groups_folder(site):
            return f"There is no user or group “{name}”."
        if name in expand_groups(site, [group.id]):
            return f"“{name}” contains “{group.id}”: adding it would make a loop."
        return None

    def apply(self, group, data, to_add, to_remove):
        request, site = self.request, self.site
        changed = [f for f in ("title", "description") if getattr(group, f) != data[f]]
        for field in changed:
            setattr(group, field, data[field])
        if changed:
            audit(request, "group.changed", target=group.id, changed=list(changed))
        before = list(group.roles)
        after = [r for r in GLOBAL_ROLES if r in data["roles"]]
        if set(before) != set(after):
            group.roles = tuple(after)
            audit(request, "roles.changed", target=group.id, kind="group",
                  before=before, after=after)
            changed.append("roles")
        added = [n for n in dict.fromkeys(to_add) if n not in group.members]
        for name in added:
            add_member(site, group.id, name)
        for name in to_remove:
            remove_member(site, group.id, name)
        if added or to_remove:
            audit(request, "group.members", target=group.id,
                  added=added or None, removed=to_remove or None)
            changed.append("members")
        return changed


class DeleteGroupView(GroupForm):
    """``@@delete-group?id=``: a confirmation naming the group, then a POST."""

    template = "group_delete.pt"

    def get(self):
        group = self.target()
        self.may_change(group)
        return self.render({"target": group, "count": len(group.members),
                            "cancel_url": self.url("edit-group", id=group.id)})

    def post(self):
        group = self.target()
        self.may_change(group)
        delete_group(self.site, group.id)
        audit(self.request, "group.deleted", target=group.id)
        return self.redirect(self.url("groups"),
                             f"Deleted the group “{group.id}”.")


def includeme(config):
    add = config.add_view
    add(GroupsView, "groups", context=ISite, permission=MANAGE_USERS)
    for view, name in ((AddGroupView, "add-group"), (EditGroupView, "edit-group"),
                       (DeleteGroupView, "delete-group")):
        add(view, name, context=ISite, permission=MANAGE_USERS, attr="get")
        add(view, name, context=ISite, permission=MANAGE_USERS, attr="post",
            request_method="POST")
