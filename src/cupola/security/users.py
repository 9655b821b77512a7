"""Users and groups stored in the site (BTrees: 100,000 users work).

``site.users`` maps login -> User, ``site.groups`` maps group id -> Group.
A group's members are logins and other group ids; loops are refused.
"""

import re
import secrets

from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from cupola.security.passwords import (hash_password, password_problems,
                                       verify_password, waste_time)

LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class PrincipalError(ValueError):
    """A user or group operation that cannot be done (the message says why)."""


class User(Persistent):
    """A person who can sign in."""

    enabled = True
    session_version = 0   # bumped to sign the user out everywhere
    email = ""
    fullname = ""

    def __init__(self, login, password, roles=(), fullname="", email=""):
        self.login = login
        self.fullname = fullname or login
        self.email = email
        self.roles = tuple(roles)
        self.groups = OOTreeSet()  # ids of the groups the user is directly in
        self.password_hash = hash_password(password)

    @property
    def title(self):
        return self.fullname or self.login

    def set_password(self, password):
        self.password_hash = hash_password(password)
        self.session_version += 1

    def check_password(self, password):
        ok, new_hash = verify_password(self.password_hash, password)
        if ok and new_hash:
            self.password_hash = new_hash
        return ok

    def revoke_sessions(self):
        self.session_version += 1


class Group(Persistent):
    """A named set of users and groups that shares roles."""

    def __init__(self, group_id, title="", roles=(), description=""):
        self.id = group_id
        self.title = title or group_id
        self.description = description
        self.roles = tuple(roles)
        self.members = OOTreeSet()  # logins and group ids


def groups_folder(site):
    groups = getattr(site, "groups", None)
    if groups is None:
        groups = site.groups = OOBTree()
    return groups


def add_user(site, login, password, roles=(), fullname="", email="",
             check_policy=False):
    if not LOGIN_RE.match(login or ""):
        raise PrincipalError("A login has letters, digits and . _ @ + - only, "
                             "starting with a letter or digit.")
    if login in site.users or login in groups_folder(site):
        raise PrincipalError(f"The name {login!r} is taken.")
    if check_policy:
        problems = password_problems(password, login, fullname)
        if problems:
            raise PrincipalError(" ".join(problems))
    user = site.users[login] = User(login, password, roles, fullname, email)
    return user


def delete_user(site, login):
    """Remove a user, their group memberships and their API tokens."""
    from cupola.security.tokens import revoke_token, user_tokens
    user = site.users[login]
    for token in user_tokens(site, login):
        revoke_token(site, token.id)
    for group_id in list(user.groups):
        group = groups_folder(site).get(group_id)
        if group is not None and login in group.members:
            group.members.remove(login)
    del site.users[login]
    return user


def authenticate(site, login, password):
    """The enabled User with this login and password, else None."""
    user = site.users.get(login) if login else None
    if user is None:
        waste_time(password)
        return None
    if not user.check_password(password or ""):
        return None
    return user if user.enabled else None


def add_group(site, group_id, title="", roles=(), description=""):
    groups = groups_folder(site)
    if not LOGIN_RE.match(group_id or ""):
        raise PrincipalError("A group id has letters, digits and . _ @ + - only.")
    if group_id in groups or group_id in site.users:
        raise PrincipalError(f"The name {group_id!r} is taken.")
    group = groups[group_id] = Group(group_id, title, roles, description)
    return group


def delete_group(site, group_id):
    groups = groups_folder(site)
    group = groups[group_id]
    for member in list(group.members):
        remove_member(site, group_id, member)
    for other in groups.values():
        if group_id in other.members:
            other.members.remove(group_id)
    del groups[group_id]
    return group


def add_member(site, group_id, member):
    """Put a user or group into a group; refuses loops and unknown names."""
    groups = groups_folder(site)
    group = groups[group_id]
    if member in site.users:
        site.users[member].groups.add(group_id)
    elif member in groups:
        if member == group_id or _contains(site, member, group_id):
            raise PrincipalError(f"Putting {member!r} into {group_id!r} would "
                                 "make a loop of groups.")
    else:
        raise PrincipalError(f"There is no user or group {member!r}.")
    group.members.add(member)


def _contains(site, outer, inner):
    """Whether group *outer* contains *inner*, directly or through others."""
    groups = groups_folder(site)
    seen, todo = set(), [outer]
    while todo:
        gid = todo.pop()
        if gid in seen or gid not in groups:
            continue
        seen.add(gid)
        members = groups[gid].members
        if inner in members:
            return True
        todo.extend(m for m in members if m in groups)
    return False


def remove_member(site, group_id, member):
    group = groups_folder(site)[group_id]
    if member in group.members:
        group.members.remove(member)
    user = site.users.get(member)
    if user is not None and group_id in user.groups:
        user.groups.remove(group_id)


def expand_groups(site, group_ids):
    """All groups reached from *group_ids*: the groups that contain them."""
    groups = groups_folder(site)
    result, todo = set(), list(group_ids)
    parents = None
    while todo:
        gid = todo.pop()
        if gid in result or gid not in groups:
            continue
        result.add(gid)
        if parents is None:
            parents = _parents_index(groups)
        todo.extend(parents.get(gid, ()))
    return result


def _parents_index(groups):
    """{group id: ids of the groups it is a member of} (groups are few)."""
    index = {}
    for gid, group in groups.items():
        for member in group.members:
            if member in groups:
                index.setdefault(member, []).append(gid)
    return index


def principal_groups(site, user):
    """Ids of every group *user* belongs to, directly or through groups."""
    return expand_groups(site, list(user.groups))


def new_token_secret():
    return secrets.token_urlsafe(32)
