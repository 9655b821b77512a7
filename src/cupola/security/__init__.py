"""Users, sessions, permissions and the check every view passes."""

PERMISSIONS = {
    "cupola.Public": "Public (no check)",
    "cupola.View": "View",
    "cupola.ModifyContent": "Modify content",
    "cupola.AddContent": "Add content",
    "cupola.AddFolder": "Add folders",
    "cupola.AddDocument": "Add pages",
    "cupola.AddFile": "Add files and images",
    "cupola.DeleteObjects": "Delete objects",
    "cupola.ManageSite": "Manage site",
}


def includeme(config):
    for name, title in PERMISSIONS.items():
        config.add_permission(name, title)
    config.include("cupola.security.views")
