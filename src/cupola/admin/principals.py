"""Finding users and groups, and who may change whom (shared by the admin views).

Only a Manager may hand out the Manager role, so a Site Administrator
may not change a principal that is (or would make someone) a Manager:
not a Manager's account or password, not a group that grants Manager
directly or through the groups that contain it.
"""

import itertools

from cupola.security.roles import MANAGER
from cupola.security.users import expand_groups, groups_folder

PAGE = 50
_AFTER_LAST = "\U0010ffff" * 101  # sorts after any login (at most 100 chars)


def matches(query, *fields):
    """Whether the lower-cased *query* is in any of *fields* (case-insensitive)."""
    return any(query in (f or "").lower() for f in fields)


def search_users(site, query, limit=None):
    """Users whose login, full name or e-mail contains *query*, in login order.

    Reads every user (a search cannot use the login order); *limit* stops
    early.
    """
    query = query.lower()
    found = (user for login, user in site.users.items()
             if query in login.lower() or matches(query, user.fullname, user.email))
    return list(itertools.islice(found, limit))


def search_groups(site, query, limit=None):
    query = query.lower()
    found = (group for gid, group in groups_folder(site).items()
             if query in gid.lower() or matches(query, group.title))
    return list(itertools.islice(found, limit))


def users_after(site, after=None, size=PAGE):
    """(users, has_more): a page of users in login order after *after*.

    Walks the BTree from *after*: only this page's users are loaded.
    """
    keys = site.users.keys(min=after, excludemin=True) if after else site.users.keys()
    logins = list(itertools.islice(keys, size + 1))
    return [site.users[k] for k in logins[:size]], len(logins) > size


def users_before(site, before, size=PAGE):
    """(users, has_more): the page of users just before the login *before*."""
    logins, key = [], before
    while len(logins) < size + 1:
        key = key_before(site.users, key)
        if key is None:
            break
        logins.append(key)
    page = list(reversed(logins[:size]))
    return [site.users[k] for k in page], len(logins) > size


def key_before(tree, key):
    """The largest key of *tree* below *key* (keys: strings of ≤ 100 chars)."""
    if not key:
        return None
    last = key[-1]
    if ord(last) == 0:
        bound = key[:-1]
    else:
        # every key below *key* is at most: key's prefix, then a smaller last
        # character, then anything (logins are at most 100 characters long)
        bound = key[:-1] + chr(ord(last) - 1) + _AFTER_LAST
    try:
        found = tree.maxKey(bound)
    except ValueError:
        return None
    return found if found < key else None


def user_roles(site, user):
    """Every global role of *user*: its own and those of its groups."""
    return roles_of(site, user.roles, user.groups)


def roles_of(site, roles, group_ids):
    """*roles* plus those of the groups *group_ids* and of the groups above them."""
    found = set(roles)
    groups = groups_folder(site)
    for gid in expand_groups(site, list(group_ids)):
        group = groups.get(gid)
        if group is not None:
            found.update(group.roles)
    return found


def is_manager(site, user):
    return MANAGER in user_roles(site, user)


def group_grants_manager(site, group_id):
    """Whether members of *group_id* become Managers (through any group)."""
    groups = groups_folder(site)
    return any(MANAGER in groups[gid].roles
               for gid in expand_groups(site, [group_id]) if gid in groups)
