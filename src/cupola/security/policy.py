"""Who may do what: roles per user, permissions per role.

The full model (local roles, workflow, groups) grows from this module; the
check every view passes through is ``has_permission``.
"""

from cupola.security.session import COOKIE, read_session_cookie

ANONYMOUS = "Anonymous"
AUTHENTICATED = "Authenticated"
PUBLIC = "cupola.Public"
VIEW = "cupola.View"

# Roles granted each permission; permissions not listed need Manager.
DEFAULT_GRANTS = {
    PUBLIC: frozenset({ANONYMOUS}),
    VIEW: frozenset({ANONYMOUS}),
}
MANAGER_ONLY = frozenset({"Manager"})


def authenticated_user(request):
    """The signed-in User of *request*, or None (cached on the request)."""
    try:
        return request.environ["cupola.user"]
    except KeyError:
        pass
    user = None
    site = request.site
    found = None
    if COOKIE in request.environ.get("HTTP_COOKIE", ""):
        found = read_session_cookie(site.settings["secret"],
                                    request.cookies.get(COOKIE))
    if found is not None:
        candidate = site.users.get(found[0])
        if (candidate is not None and candidate.enabled
                and candidate.session_version == found[1]):
            user = candidate
    request.environ["cupola.user"] = user
    return user


def user_roles(request):
    user = authenticated_user(request)
    if user is None:
        return frozenset({ANONYMOUS})
    return frozenset({ANONYMOUS, AUTHENTICATED, *user.roles})


def has_permission(permission, context, request):
    """Whether the user of *request* has *permission* on *context*."""
    granted = DEFAULT_GRANTS.get(permission, MANAGER_ONLY)
    if ANONYMOUS in granted:
        return True
    return not granted.isdisjoint(user_roles(request))
