"""The web admin UI: users, groups, own account, sharing, workflow, audit log.

Server-rendered pages from the ``admin`` skin layer, usable without
JavaScript. Every change is a POST carrying the CSRF token that answers
with a 303 and a status message (``cupola.admin.messages``); a form with
errors is shown again with the entered values and the errors beside the
fields, and nothing is committed.
"""

from cupola.skins import default_skins_dir

from cupola.security.roles import MANAGE_LOCAL_ROLES  # noqa: E402


def includeme(config):
    config.add_permission(MANAGE_LOCAL_ROLES, "Share (manage local roles)")
    config.add_skin_layer("admin", default_skins_dir() / "admin")
    for module in ("users", "groups", "account", "sharing", "workflow", "audit",
                   "contents", "toolbar", "editing", "history", "trash",
                   "undo", "database", "settings", "skins", "addons", "references"):
        config.include(f"cupola.admin.{module}")
