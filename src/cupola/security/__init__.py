"""Users, groups, sessions, roles, permissions and the check every view passes."""

from cupola.security import roles as r

PERMISSIONS = {
    r.PUBLIC: "Public (no check)",
    r.VIEW: "View",
    r.SIGNED_IN: "Be signed in (own account)",
    r.MODIFY: "Modify content",
    r.ADD: "Add content",
    r.ADD_FOLDER: "Add folders",
    r.ADD_DOCUMENT: "Add pages and links",
    r.ADD_FILE: "Add files and images",
    r.DELETE: "Delete objects",
    r.REQUEST_REVIEW: "Submit for review",
    r.REVIEW: "Review content",
    r.ACCESS_INACTIVE: "See content outside its publication dates",
    r.VIEW_HISTORY: "View history",
    r.MANAGE_USERS: "Manage users",
    r.MANAGE_SITE: "Manage site",
    r.MANAGE_ADDONS: "Manage add-ons",
}


def give_owner_role(obj, event):
    """The creator of an object becomes its Owner (a local role)."""
    from cupola.security.localroles import add_local_role, local_roles
    creator = getattr(obj, "creator", None)
    if creator and not local_roles(obj):
        add_local_role(obj, creator, r.OWNER)


def includeme(config):
    from cupola.interfaces import IItem, IObjectAdded
    for name, title in PERMISSIONS.items():
        config.add_permission(name, title)
    config.add_subscriber(give_owner_role, IItem, IObjectAdded)
    config.include("cupola.security.views")
