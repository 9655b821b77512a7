"""``<object>/@@sharing``: who has which local role here, and what is inherited.

Guarded by ``cupola.ManageLocalRoles`` (registered in ``cupola.admin``;
the policy gives a permission it has no default for to Managers only).
The table lists the principals with roles here, those inheriting roles
from above and those found by ``?q=``; each row has a checkbox per local
role. Owner is shown but not editable: it follows the object's creator.
"""

from cupola.admin import MANAGE_LOCAL_ROLES
from cupola.admin.forms import AdminView, field_list, path_of
from cupola.admin.principals import search_groups, search_users
from cupola.interfaces import IItem
from cupola.security.audit import audit
from cupola.security.localroles import (blocks_inheritance,
                                        inherited_local_roles, local_roles,
                                        set_block_inheritance, set_local_roles)
from cupola.security.roles import LOCAL_ROLES, OWNER
from cupola.security.users import groups_folder

PERMISSION = MANAGE_LOCAL_ROLES
EDITABLE = tuple(r for r in LOCAL_ROLES if r != OWNER)
FOUND = 20  # search results shown at most, per kind


class SharingView(AdminView):
    template = "sharing.pt"

    def get(self):
        query = (self.request.GET.get("q") or "").strip()[:100]
        here = local_roles(self.context)
        inherited = {}  # {principal: [(role, source object)]}
        for principal, roles, source in inherited_local_roles(self.context):
            for role in roles:
                inherited.setdefault(principal, []).append((role, source))
        found = []
        if query:
            found = [u.login for u in search_users(self.site, query, FOUND)]
            found += [g.id for g in search_groups(self.site, query, FOUND)]
        principals = list(dict.fromkeys([*sorted(here), *sorted(inherited), *found]))
        return self.render({
            "query": query, "found": len(found),
            "rows": [self.row(p, here.get(p, ()), inherited.get(p, ()))
                     for p in principals],
            "roles": EDITABLE, "blocked": blocks_inheritance(self.context),
            "is_root": self.context.__parent__ is None,
            "sources": self.sources(inherited)})

    def row(self, principal, roles, inherited):
        user = self.site.users.get(principal)
        group = None if user is not None else groups_folder(self.site).get(principal)
        if user is not None:
            kind, title = "user", user.fullname
        elif group is not None:
            kind, title = "group", group.title
        else:
            kind, title = "unknown", "(deleted)"
        return {"id": principal, "title": title, "kind": kind,
                "owner": OWNER in roles, "here": set(roles),
                "inherited": {role: source for role, source in inherited}}

    def sources(self, inherited):
        """[(title, URL)] of the objects roles are inherited from, nearest first."""
        seen = {}
        for pairs in inherited.values():
            for _, source in pairs:
                seen.setdefault(id(source), source)
        return [(s.title or s.__name__ or "Site", self.url("sharing", obj=s))
                for s in seen.values()]

    def post(self):
        context, request = self.context, self.request
        where = path_of(context)
        here = local_roles(context)
        known_users, known_groups = self.site.users, groups_folder(self.site)
        changed = 0
        for principal in dict.fromkeys(field_list(request, "principal")):
            before = tuple(here.get(principal, ()))
            if not before and principal not in known_users \
                    and principal not in known_groups:
                continue  # a stale form: never give roles to an unknown name
            chosen = set(field_list(request, f"role.{principal}")) & set(EDITABLE)
            after = tuple(sorted(chosen | ({OWNER} & set(before))))
            if set(after) != set(before):
                set_local_roles(context, principal, after)
                audit(request, "roles.changed", target=principal, object=where,
                      before=sorted(before), after=list(after))
                changed += 1
        if context.__parent__ is not None:
            block = bool(request.form.get("block"))
            if block != blocks_inheritance(context):
                set_block_inheritance(context, block)
                audit(request, "roles.changed", object=where,
                      inherit="blocked" if block else "restored")
                changed += 1
        if not changed:
            return self.redirect(self.url("sharing", obj=context),
                                 "Nothing to save: no role was changed.", "info")
        return self.redirect(self.url("sharing", obj=context),
                             "Saved the sharing settings.")


def includeme(config):
    config.add_view(SharingView, "sharing", context=IItem, permission=PERMISSION,
                    attr="get")
    config.add_view(SharingView, "sharing", context=IItem, permission=PERMISSION,
                    attr="post", request_method="POST")
