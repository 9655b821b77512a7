"""``@@addons``: the add-ons installed with Cupola, switched on and off for
this site; pending upgrades of Cupola and the active add-ons, run from here.

Manager only (``cupola.ManageAddons``). Each action is a POST with the CSRF
token answering with a 303 and a status message; activation and
deactivation happen in the request's transaction (all or nothing),
upgrades each in their own (see ``cupola.addons.upgrades``). The POST is
allowed while Cupola's data waits for an upgrade, but then only to upgrade.
"""

from cupola.addons import activate, deactivate
from cupola.addons.overview import addon_rows, core_row
from cupola.addons.sites import site_state
from cupola.addons.upgrades import pending, run_upgrades
from cupola.admin.forms import AdminView, doom
from cupola.exceptions import AddonError
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.roles import MANAGE_ADDONS

ACTIONS = ("activate", "deactivate", "upgrade")


class AddonsView(AdminView):
    """The list, and the three actions."""

    template = "addons.pt"

    def get(self):
        registry, site = self.request.registry, self.site
        rows = addon_rows(registry, site)
        core = core_row(registry, site)
        waiting = [step for row in [core] + rows for step in row.pending]
        return self.render({
            "core": core, "rows": rows, "waiting": waiting,
            "blocked": [r for r in [core] + rows if r.problem],
            "core_behind": site_state(registry, site).core_behind})

    def post(self):
        action, name = self.form.get("action"), self.text("name", 100)
        if action not in ACTIONS or (action != "upgrade" and not name):
            doom(self.request)
            return self.back("Choose an add-on and an action.", "error")
        if action != "upgrade" and site_state(self.request.registry, self.site).core_behind:
            doom(self.request)
            return self.back("Run the pending upgrades first: Cupola's data is "
                             "older than its code.", "error")
        try:
            return getattr(self, action)(name)
        except AddonError as e:
            doom(self.request)
            return self.back(str(e), "error")

    def activate(self, name):
        registry = self.request.registry
        done = activate(self.site, registry, name)
        titles = [registry.addons[n].title for n in done]
        self.note(f"Activated the add-on {', '.join(titles)}")
        audit(self.request, "addon.activated", addons=done)
        extra = (f" (with {', '.join(titles[:-1])}, which it needs)"
                 if len(titles) > 1 else "")
        return self.back(f"Activated {titles[-1]}{extra}.")

    def deactivate(self, name):
        info = self.request.registry.addons.get(name)
        title = info.title if info is not None else name
        deactivate(self.site, self.request.registry, name)
        self.note(f"Deactivated the add-on {title}")
        audit(self.request, "addon.deactivated", addons=[name])
        return self.back(f"Deactivated {title}. Its content is kept.")

    def upgrade(self, name):
        registry = self.request.registry
        doom(self.request)  # the steps commit on their own connection
        if not pending(registry, self.site):
            return self.back("Nothing to upgrade.", "info")
        ran = []
        try:
            run_upgrades(self.request.conn.db(), registry,
                         echo=ran.append)
        except AddonError as e:
            done = f"Ran {len(ran) - 1} step(s) before it. " if len(ran) > 1 else ""
            return self.back(f"{done}{e}", "error")
        return self.back(f"Ran {len(ran)} upgrade step(s): {'; '.join(ran)}.")

    def note(self, text):
        self.request.conn.transaction_manager.get().note(text)

    def back(self, message, kind="success"):
        return self.redirect(self.url("addons"), message, kind)


def includeme(config):
    config.add_view(AddonsView, "addons", context=ISite, permission=MANAGE_ADDONS,
                    attr="get")
    config.add_view(AddonsView, "addons", context=ISite, permission=MANAGE_ADDONS,
                    attr="post", request_method="POST", upgrade_safe=True)
