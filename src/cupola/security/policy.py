"""Who may do what: ``has_permission(permission, context, request)``.

A principal's roles in a context are the automatic ones (Anonymous,
Authenticated), its global roles and those of its groups, and the local
roles given to it or its groups on the context and the objects above it
(up to a folder that blocks inheritance). Which roles a permission needs
comes from the workflow state of the context, else of the nearest object
above it whose state manages that permission, else from the site's
defaults. Content outside its publication window (effective, expires) is
visible only to those with ``AccessInactive`` there.

Answers are cached per request.
"""

from datetime import datetime, timezone

from cupola.responsecache import note_expiry
from cupola.security.auth import authenticated_user
from cupola.security.localroles import roles_in_context
from cupola.security.roles import (ACCESS_INACTIVE, ADD, ADD_DOCUMENT,
                                   ADD_FILE, ADD_FOLDER, ANONYMOUS,
                                   AUTHENTICATED, CONTRIBUTOR, DELETE, EDITOR,
                                   MANAGE_ADDONS, MANAGE_LOCAL_ROLES,
                                   MANAGE_SITE, MANAGE_USERS,
                                   MANAGER, MEMBER, MODIFY, PUBLIC,
                                   REQUEST_REVIEW, REVIEW, REVIEWER,
                                   SIGNED_IN, SITE_ADMINISTRATOR, VIEW,
                                   VIEW_HISTORY, OWNER)
from cupola.security.users import principal_groups

ADMINS = frozenset({MANAGER, SITE_ADMINISTRATOR})
EDITORS = ADMINS | {EDITOR, OWNER}
WRITERS = EDITORS | {CONTRIBUTOR}

# The roles each permission needs where no workflow state says otherwise
# (the site root, and content whose type has no workflow).
DEFAULT_GRANTS = {
    PUBLIC: frozenset({ANONYMOUS}),
    VIEW: frozenset({ANONYMOUS}),
    SIGNED_IN: frozenset({AUTHENTICATED}),
    MODIFY: frozenset(EDITORS),
    ADD: frozenset(WRITERS),
    ADD_FOLDER: frozenset(WRITERS),
    ADD_DOCUMENT: frozenset(WRITERS),
    ADD_FILE: frozenset(WRITERS),
    DELETE: frozenset(EDITORS),
    REQUEST_REVIEW: frozenset(WRITERS),
    REVIEW: frozenset(ADMINS | {REVIEWER}),
    ACCESS_INACTIVE: frozenset(EDITORS | {REVIEWER, CONTRIBUTOR}),
    VIEW_HISTORY: frozenset(EDITORS | {REVIEWER}),
    MANAGE_USERS: frozenset(ADMINS),
    MANAGE_SITE: frozenset(ADMINS),
    MANAGE_LOCAL_ROLES: frozenset(ADMINS),
    MANAGE_ADDONS: frozenset({MANAGER}),
}
MANAGER_ONLY = frozenset({MANAGER})
EVERYONE = frozenset({ANONYMOUS})


def user_principals(request):
    """(login, group ids...) of the request's user; () for Anonymous."""
    env = request.environ
    found = env.get("cupola.principals")
    if found is None:
        user = authenticated_user(request)
        if user is None:
            found = ()
        else:
            found = (user.login, *sorted(principal_groups(request.site, user)))
        env["cupola.principals"] = found
    return found


def global_roles(request):
    """Roles of the user everywhere: automatic, own and through groups."""
    env = request.environ
    roles = env.get("cupola.global_roles")
    if roles is None:
        user = authenticated_user(request)
        if user is None:
            roles = EVERYONE
        else:
            roles = {ANONYMOUS, AUTHENTICATED, MEMBER, *user.roles}
            groups = getattr(request.site, "groups", None) or {}
            for gid in user_principals(request)[1:]:
                group = groups.get(gid)
                if group is not None:
                    roles.update(group.roles)
            roles = frozenset(roles)
        env["cupola.global_roles"] = roles
    return roles


def roles_for(request, context):
    """Every role the request's user has on *context*."""
    roles = global_roles(request)
    principals = user_principals(request)
    if not principals:
        return roles
    cache = _cache(request, "cupola.context_roles")
    key = id(context)
    found = cache.get(key)
    if found is None or found[0] is not context:
        local = roles_in_context(context, principals)
        found = (context, roles | local if local else roles)
        cache[key] = found
    return found[1]


def granted_roles(registry, context, permission):
    """The roles *permission* needs on *context* (workflow, then defaults)."""
    from cupola.workflow.engine import permission_roles
    node = context
    while node is not None:
        roles = permission_roles(registry, node, permission)
        if roles is not None:
            return roles
        node = getattr(node, "__parent__", None)
    default = DEFAULT_GRANTS.get(permission)
    if default is None:  # an add-on's permission: the roles it registered
        perm = registry.permissions.get(permission)
        default = perm.roles if perm is not None and perm.roles else MANAGER_ONLY
    return default


def has_permission(permission, context, request):
    """Whether the user of *request* has *permission* on *context*."""
    if permission == PUBLIC:
        return True
    cache = _cache(request, "cupola.permissions")
    key = (permission, id(context))
    found = cache.get(key)
    if found is not None and found[0] is context:
        return found[1]
    granted = granted_roles(request.registry, context, permission)
    allowed = not granted.isdisjoint(roles_for(request, context))
    if allowed and permission == VIEW and not is_active(context, environ=request.environ):
        allowed = has_permission(ACCESS_INACTIVE, context, request)
    cache[key] = (context, allowed)
    return allowed


def is_active(obj, now=None, environ=None):
    """Whether *obj* is inside its publication window (effective..expires).

    With *environ*, a response built now is marked stale at the next
    boundary of the window (see cupola.responsecache).
    """
    effective = getattr(obj, "effective", None)
    expires = getattr(obj, "expires", None)
    if effective is None and expires is None:
        return True
    now = now or datetime.now(timezone.utc)
    active = True
    if effective is not None and _aware(effective) > now:
        active = False
        if environ is not None:
            note_expiry(environ, _aware(effective).timestamp())
    if expires is not None:
        if _aware(expires) <= now:
            active = False
        elif environ is not None:
            note_expiry(environ, _aware(expires).timestamp())
    return active


def _aware(value):
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _cache(request, name):
    env = request.environ
    cache = env.get(name)
    if cache is None:
        cache = env[name] = {}
    return cache


def forget(request):
    """Drop the request's cached identity and answers (after login, roles...)."""
    for key in ("cupola.user", "cupola.auth", "cupola.principals",
                "cupola.global_roles", "cupola.context_roles",
                "cupola.permissions"):
        request.environ.pop(key, None)
