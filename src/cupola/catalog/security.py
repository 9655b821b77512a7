"""Who may see a cataloged object, as tokens the catalog can match.

An object's tokens are the roles its VIEW permission needs there (from its
workflow state or the nearest one above, else the defaults), plus
``user:<principal>`` for each user or group that holds one of those roles
locally on the object or above it. A searcher's tokens are its global roles
plus ``user:<login>`` and ``user:<group>`` for its groups; a document is
visible when the two share one token. The same is kept for
ACCESS_INACTIVE, which lets a searcher see content outside its
publication window.
"""

from cupola.security.roles import ACCESS_INACTIVE, VIEW

USER_PREFIX = "user:"


def object_tokens(registry, obj, permission=VIEW):
    """Sorted tokens of those who have *permission* on *obj*."""
    from cupola.security.policy import granted_roles
    granted = granted_roles(registry, obj, permission)
    tokens = set(granted)
    node = obj
    while node is not None:
        stored = getattr(node, "_local_roles", None)
        if stored is not None:
            for principal, roles in stored.items():
                if not granted.isdisjoint(roles):
                    tokens.add(USER_PREFIX + principal)
        if getattr(node, "_block_local_roles", False):
            break
        node = getattr(node, "__parent__", None)
    return tuple(sorted(tokens))


def inactive_tokens(registry, obj):
    return object_tokens(registry, obj, ACCESS_INACTIVE)


def request_tokens(request):
    """The searcher's tokens: global roles and ``user:`` principals."""
    from cupola.security.policy import global_roles, user_principals
    if request is None:
        from cupola.security.roles import ANONYMOUS
        return [ANONYMOUS]
    return sorted(global_roles(request)) + [
        USER_PREFIX + p for p in user_principals(request)]


def visible(catalog, result, tokens, now, request=None):
    """The docids of the BitMap *result* (changed in place) that a searcher
    with *tokens* may view at *now* (epoch seconds): allowed to view, and
    inside the publication window unless allowed to see inactive content."""
    if not result:
        return result
    result &= catalog.index("allowed").apply(tokens)
    effective, expires = catalog.index("effective"), catalog.index("expires")
    if request is not None:
        _note_boundary(request, effective, expires, now)
    if not result:
        return result
    hidden = result & effective.range(now + 1, None)
    hidden |= result & expires.range(None, now)
    if hidden:
        hidden -= catalog.index("allowed_inactive").apply(tokens)
        result -= hidden
    return result


def _note_boundary(request, effective, expires, now):
    """Cached responses built from this search go stale at the next moment
    a document enters or leaves its publication window."""
    from cupola.responsecache import note_expiry
    for index in (effective, expires):
        for first in index._fwd.keys(now + 1):
            note_expiry(request.environ, first)
            break
