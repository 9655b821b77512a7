"""Managing users: list and search, add, edit, delete, set a new password.

Views on the site, each by name (``@@users``, ``@@add-user``,
``@@edit-user?login=``, ``@@delete-user?login=``, ``@@reset-password?login=``),
all guarded by ``cupola.ManageUsers``. Nobody may disable, delete or take
the Manager role from themselves, and only a Manager may change a Manager
or make one (see ``cupola.admin.principals``).
"""

import re

from cupola.admin.forms import AdminView, doom, field_list, require
from cupola.admin.principals import (PAGE, group_grants_manager, is_manager,
                                     key_before, roles_of, search_users,
                                     users_after, users_before)
from cupola.exceptions import NotFound
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.passwords import password_problems
from cupola.security.roles import GLOBAL_ROLES, MANAGE_USERS, MANAGER
from cupola.security.tokens import revoke_token, user_tokens
from cupola.security.users import (LOGIN_RE, add_member, add_user,
                                   delete_user, groups_folder, remove_member)
from cupola.views.batch import Batch, read_int

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
NO_MANAGER = "Only a Manager may change a Manager's account."


class UsersView(AdminView):
    """``@@users``: every user in login order, 50 a page, or those matching ?q=."""

    template = "users.pt"

    def __call__(self):
        request = self.request
        query = (request.GET.get("q") or "").strip()[:100]
        if query:
            found = search_users(self.site, query)
            start = read_int(request, "b_start", 0, 0, max(0, len(found) - 1))
            batch = Batch(found[start:start + PAGE], start, PAGE, len(found))
            users = batch.items
            prev_url = batch.has_previous and self.url(
                "users", q=query, b_start=batch.previous_start)
            next_url = batch.has_next and self.url(
                "users", q=query, b_start=batch.next_start)
            summary = (f"1 user matches “{query}”" if batch.total == 1 else
                       f"{batch.total} users match “{query}”")
        else:
            users, prev_url, next_url = self.page_of_users()
            summary = None
        return self.render({
            "query": query, "rows": [self.row(u) for u in users],
            "prev_url": prev_url or None, "next_url": next_url or None,
            "summary": summary})

    def page_of_users(self):
        """(users, previous page URL, next page URL), walking the login order."""
        request, tree = self.request, self.site.users
        before = request.GET.get("before")
        if before:
            users, more_before = users_before(self.site, before)
            has_prev, has_next = more_before, True
        else:
            users, has_next = users_after(self.site, request.GET.get("after"))
            has_prev = bool(users) and key_before(tree, users[0].login) is not None
        prev_url = has_prev and users and self.url("users", before=users[0].login)
        next_url = has_next and users and self.url("users", after=users[-1].login)
        return users, prev_url, next_url

    def row(self, user):
        return {"user": user, "roles": list(user.roles),
                "groups": list(user.groups), "is_self": user is self.user,
                "edit_url": self.url("edit-user", login=user.login)}


class UserForm(AdminView):
    """What adding and editing share: choices, reading and checking fields."""

    template = "user_form.pt"

    def target(self):
        login = self.request.param("login") or ""
        user = self.site.users.get(login)
        if user is None:
            raise NotFound(f"There is no user {login!r}.")
        return user

    def may_change(self, user):
        require(self.is_manager() or not is_manager(self.site, user), NO_MANAGER)

    def role_options(self, chosen):
        manager = self.is_manager()
        return [{"name": role, "checked": role in chosen,
                 "disabled": role == MANAGER and not manager}
                for role in GLOBAL_ROLES]

    def group_options(self, chosen):
        manager = self.is_manager()
        return [{"name": gid, "title": group.title, "checked": gid in chosen,
                 "disabled": not manager and group_grants_manager(self.site, gid)}
                for gid, group in groups_folder(self.site).items()]

    def read_common(self, errors):
        """Full name, e-mail, roles and groups from the form, checked."""
        data = {"fullname": self.text("fullname"),
                "email": self.text("email", 254),
                "roles": [r for r in field_list(self.request, "roles")
                          if r in GLOBAL_ROLES],
                "groups": [g for g in field_list(self.request, "groups")
                           if g in groups_folder(self.site)]}
        if data["email"] and not EMAIL_RE.match(data["email"]):
            errors["email"] = "Enter an e-mail address like ann@example.org."
        if MANAGER in data["roles"] and not self.is_manager():
            errors["roles"] = "Only a Manager may give the Manager role."
        if not self.is_manager() and any(
                group_grants_manager(self.site, g) for g in data["groups"]):
            errors["groups"] = "Only a Manager may add people to a group of Managers."
        return data

    def show(self, values, errors=None, status=200):
        return self.render({
            "values": values, "errors": errors or {},
            "role_options": self.role_options(values.get("roles", ())),
            "group_options": self.group_options(values.get("groups", ())),
            "mode": self.mode, "cancel_url": self.url("users")}, status=status)

    def invalid(self, values, errors):
        doom(self.request)
        return self.show(values, errors)


class AddUserView(UserForm):
    """``@@add-user``: login, name, e-mail, password twice, roles, groups."""

    mode = "add"

    def get(self):
        return self.show({"login": "", "fullname": "", "email": "",
                          "roles": [], "groups": []})

    def post(self):
        errors = {}
        data = self.read_common(errors)
        login = data["login"] = self.text("login", 100)
        password = self.form.get("password") or ""
        if not LOGIN_RE.match(login):
            errors["login"] = ("Use letters, digits and . _ @ + - only, "
                               "starting with a letter or digit.")
        elif login in self.site.users or login in groups_folder(self.site):
            errors["login"] = f"The name “{login}” is taken."
        problems = password_problems(password, login, data["fullname"])
        if problems:
            errors["password"] = " ".join(problems)
        elif password != (self.form.get("password2") or ""):
            errors["password2"] = "The two passwords differ."
        if errors:
            return self.invalid(data, errors)
        add_user(self.site, login, password, roles=data["roles"],
                 fullname=data["fullname"], email=data["email"])
        for group_id in data["groups"]:
            add_member(self.site, group_id, login)
        audit(self.request, "user.created", target=login,
              roles=data["roles"], groups=data["groups"])
        return self.redirect(self.url("users", q=login),
                             f"Added the user “{login}”. They can sign in now.")


class EditUserView(UserForm):
    """``@@edit-user?login=``: name, e-mail, enabled, roles, groups."""

    mode = "edit"

    def get(self):
        user = self.target()
        self.may_change(user)
        return self.show(self.values_of(user))

    def values_of(self, user):
        return {"login": user.login, "fullname": user.fullname,
                "email": user.email, "enabled": user.enabled,
                "roles": list(user.roles), "groups": list(user.groups),
                "user": user, "is_self": user is self.user}

    def post(self):
        user = self.target()
        self.may_change(user)
        errors = {}
        data = self.read_common(errors)
        data.update(login=user.login, user=user, is_self=user is self.user,
                    enabled=bool(self.form.get("enabled")))
        if data["is_self"]:
            if not data["enabled"]:
                errors["enabled"] = "You cannot disable your own account."
            if is_manager(self.site, user) and MANAGER not in roles_of(
                    self.site, data["roles"], data["groups"]):
                field = "roles" if MANAGER in user.roles else "groups"
                errors[field] = "You cannot remove your own Manager role."
        if errors:
            return self.invalid(data, errors)
        changed = self.apply(user, data)
        if not changed:
            return self.redirect(self.url("users", q=user.login),
                                 "Nothing to save: no field was changed.", "info")
        return self.redirect(self.url("users", q=user.login),
                             f"Saved the changes to “{user.login}”.")

    def apply(self, user, data):
        """Store the changes and audit them; the names of the fields changed."""
        request, site = self.request, self.site
        changed = [field for field in ("fullname", "email", "enabled")
                   if getattr(user, field) != data[field]]
        for field in changed:
            setattr(user, field, data[field])
        if "enabled" in changed and not user.enabled:
            user.revoke_sessions()
        old_groups, new_groups = set(user.groups), set(data["groups"])
        for group_id in sorted(new_groups - old_groups):
            add_member(site, group_id, user.login)
        for group_id in sorted(old_groups - new_groups):
            remove_member(site, group_id, user.login)
        if old_groups != new_groups:
            changed.append("groups")
        details = {f: data[f] for f in changed if f != "groups"}
        if changed:
            audit(request, "user.changed", target=user.login, changed=list(changed),
                  groups_added=sorted(new_groups - old_groups) or None,
                  groups_removed=sorted(old_groups - new_groups) or None,
                  **details)
        before, after = list(user.roles), [r for r in GLOBAL_ROLES if r in data["roles"]]
        if set(before) != set(after):
            user.roles = tuple(after)
            audit(request, "roles.changed", target=user.login,
                  before=before, after=after)
            changed.append("roles")
        return changed


class DeleteUserView(UserForm):
    """``@@delete-user?login=``: a confirmation naming the user, then a POST."""

    template = "user_delete.pt"

    def get(self):
        user = self.target()
        return self.refusal(user) or self.render({
            "target": user, "tokens": len(user_tokens(self.site, user.login)),
            "cancel_url": self.url("edit-user", login=user.login)})

    def refusal(self, user):
        """A redirect refusing to delete oneself, else None (403 for a Manager)."""
        self.may_change(user)
        if user is self.user:
            return self.redirect(self.url("users"),
                                 "You cannot delete your own account.", "error")
        return None

    def post(self):
        user = self.target()
        refused = self.refusal(user)
        if refused:
            return refused
        site, login = self.site, user.login
        for token in user_tokens(site, login):
            revoke_token(site, token.id, login)  # or a new "login" inherits them
        user.revoke_sessions()
        delete_user(site, login)
        audit(self.request, "user.deleted", target=login)
        return self.redirect(self.url("users"), f"Deleted the user “{login}”.")


class ResetPasswordView(UserForm):
    """``@@reset-password?login=``: a Manager sets a new password for someone."""

    template = "user_password.pt"

    def get(self):
        user = self.target()
        return self.refusal(user) or self.show_form(user, {})

    def refusal(self, user):
        """Oneself: a redirect to My account (it asks for the current password)."""
        self.may_change(user)
        if user is self.user:
            return self.redirect(self.url("account"),
                                 "Change your own password here: it needs "
                                 "your current password.", "info")
        return None

    def show_form(self, user, errors):
        return self.render({"target": user, "errors": errors,
                            "cancel_url": self.url("edit-user", login=user.login)})

    def post(self):
        user = self.target()
        refused = self.refusal(user)
        if refused:
            return refused
        password = self.form.get("password") or ""
        errors = {}
        problems = password_problems(password, user.login, user.fullname)
        if problems:
            errors["password"] = " ".join(problems)
        elif password != (self.form.get("password2") or ""):
            errors["password2"] = "The two passwords differ."
        if errors:
            doom(self.request)
            return self.show_form(user, errors)
        user.set_password(password)  # also signs them out everywhere
        audit(self.request, "user.password_reset", target=user.login)
        return self.redirect(self.url("users", q=user.login),
                             f"Set a new password for “{user.login}”; "
                             "they were signed out everywhere.")


def includeme(config):
    add = config.add_view
    add(UsersView, "users", context=ISite, permission=MANAGE_USERS)
    for view, name in ((AddUserView, "add-user"), (EditUserView, "edit-user"),
                       (DeleteUserView, "delete-user"),
                       (ResetPasswordView, "reset-password")):
        add(view, name, context=ISite, permission=MANAGE_USERS, attr="get")
        add(view, name, context=ISite, permission=MANAGE_USERS, attr="post",
            request_method="POST")
