"""``@@skins``: the through-the-web ``custom`` layer (Managers only).

``@@skins`` lists the templates of every skin layer and which of them the
site overrides; ``@@skins-customise`` (POST) copies a file template into
the custom layer; ``@@skins-edit`` shows and saves one, refusing source that
Chameleon does not compile (the compiler's message, line and column shown,
the entered text kept); ``@@skins-revert`` (POST) removes an override.

These screens render from the template files only (never from the custom
layer), so a broken override can always be reverted through the web. Every
change is noted on the transaction (so ``@@undo`` lists it) and audited.
"""

import difflib

from cupola.admin.forms import AdminView, doom
from cupola.admin.settings import local_when
from cupola.customlayer import (TemplateRefused, query_custom_layer,
                                revert_template, save_template)
from cupola.exceptions import BadRequest
from cupola.interfaces import ISite
from cupola.security.audit import audit

MANAGE_SKINS = "cupola.ManageSkins"  # not in the default grants: Manager only
FILES_ONLY = "cupola.skins.files_only"


class SkinsView(AdminView):
    """The list of templates, by layer, with the site's overrides."""

    template = "skins.pt"

    def __init__(self, context, request):
        super().__init__(context, request)
        request.environ[FILES_ONLY] = True

    @property
    def skins(self):
        return self.request.registry.skins

    def rows(self, query=""):
        custom = query_custom_layer(self.site) or {}
        files = self.skins.template_names()
        names = sorted(set(files) | set(custom.keys()))
        rows = []
        for name in names:
            if query and query.lower() not in name.lower():
                continue
            stored = custom.get(name)
            rows.append({
                "name": name, "layers": files.get(name, []),
                "customised": stored is not None,
                "by": stored.modified_by if stored is not None else None,
                "when": (local_when(self.site, stored.modified.timestamp())
                         if stored is not None else None),
                "edit_url": self.url("skins-edit", name=name),
            })
        return rows

    def get(self):
        query = (self.request.GET.get("q") or "").strip()[:100]
        rows = self.rows(query)
        return self.render({"rows": rows, "query": query,
                            "count": sum(r["customised"] for r in rows),
                            "layers": [n for n, _ in self.skins.layers]})

    def known_name(self, name):
        """*name* if a file layer or the custom layer has it; else 400."""
        custom = query_custom_layer(self.site) or {}
        if name and (name in custom or name in self.skins.template_names()):
            return name  # only listed names: never a path from the form
        raise BadRequest(f"There is no template called {name!r}.")

    def file_source(self, name):
        path = self.skins.find(name)
        if path is None:
            return None, None
        with open(path, encoding="utf-8") as f:
            source = f.read()
        layer = next((n for n, root in self.skins.layers
                      if path.startswith(root.rstrip("/") + "/")), None)
        return source, layer

    def note(self, text):
        self.request.conn.transaction_manager.get().note(text)


class CustomiseView(SkinsView):
    """POST ``name``: copy the file template into the custom layer."""

    def post(self):
        name = self.known_name(self.text("name", 300))
        custom = query_custom_layer(self.site) or {}
        edit_url = self.url("skins-edit", name=name)
        if name in custom:
            doom(self.request)
            return self.redirect(edit_url, f"{name} is already customised.", "info")
        source, layer = self.file_source(name)
        try:
            save_template(self.site, name, source, origin=layer,
                          login=self.user.login)
        except TemplateRefused as e:  # the file itself is broken
            doom(self.request)
            return self.redirect(self.url("skins"),
                                 f"{name} cannot be customised: {e}", "error")
        self.note(f"Customised the template {name}")
        audit(self.request, "template.customised", target=name, layer=layer)
        return self.redirect(edit_url, f"Copied {name} into the custom layer: "
                             "your changes now apply to the whole site.")


class EditTemplateView(SkinsView):
    """``@@skins-edit?name=``: the source of one template, saved if it compiles."""

    template = "skins_edit.pt"

    def get(self):
        name = self.known_name((self.request.GET.get("name") or "").strip())
        custom = query_custom_layer(self.site) or {}
        stored = custom.get(name)
        source = stored.source if stored is not None else self.file_source(name)[0]
        return self.show(name, source, stored)

    def show(self, name, source, stored, error=None):
        file_source, layer = self.file_source(name)
        changes = source_diff(file_source, stored.source) \
            if stored is not None and file_source is not None else []
        return self.render({
            "name": name, "source": source, "stored": stored, "error": error,
            "layer": layer, "has_file": file_source is not None, "changes": changes,
            "changed_lines": sum(kind in ("ins", "del") for kind, _ in changes),
            "when": (local_when(self.site, stored.modified.timestamp())
                     if stored is not None else None),
            "lines": source.count("\n") + 1,
            "list_url": self.url("skins")})

    def post(self):
        name = self.known_name(self.text("name", 300))
        source = (self.form.get("source") or "").replace("\r\n", "\n")
        custom = query_custom_layer(self.site) or {}
        stored = custom.get(name)
        before = stored.source if stored is not None else None
        try:
            created = save_template(self.site, name, source,
                                    origin=self.file_source(name)[1],
                                    login=self.user.login)
        except TemplateRefused as e:
            doom(self.request)
            return self.show(name, source, stored, error=e)
        edit_url = self.url("skins-edit", name=name)
        if not created and before == source:
            doom(self.request)
            return self.redirect(edit_url, "Nothing to save: the template is unchanged.",
                                 "info")
        self.note(f"{'Customised' if created else 'Changed'} the template {name}")
        audit(self.request, "template.customised" if created else "template.changed",
              target=name)
        return self.redirect(edit_url, f"Saved {name}: the site uses it now.")


class RevertTemplateView(SkinsView):
    """POST ``name``: remove the override; the file template applies again."""

    def post(self):
        name = self.text("name", 300)
        if not revert_template(self.site, name):
            doom(self.request)
            return self.redirect(self.url("skins"),
                                 f"{name or 'That template'} is not customised.", "info")
        self.note(f"Reverted the template {name}")
        audit(self.request, "template.reverted", target=name)
        return self.redirect(self.url("skins"),
                             f"Reverted {name}: the site uses the file template again. "
                             "Undo can bring the custom version back.")


def source_diff(before, after, context=2):
    """[(kind, line)] of a unified diff, kind "ins", "del", "hunk" or "eq"."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(),
                                 lineterm="", n=context)
    out = []
    for line in list(lines)[2:]:  # past the ---/+++ file header
        kind = {"+": "ins", "-": "del", "@": "hunk"}.get(line[:1], "eq")
        out.append((kind, line[1:] if kind != "hunk" else line))
    return out


def includeme(config):
    config.add_permission(MANAGE_SKINS, "Customise templates")
    config.add_view(SkinsView, "skins", context=ISite, permission=MANAGE_SKINS, attr="get")
    config.add_view(CustomiseView, "skins-customise", context=ISite,
                    permission=MANAGE_SKINS, attr="post", request_method="POST")
    config.add_view(EditTemplateView, "skins-edit", context=ISite,
                    permission=MANAGE_SKINS, attr="get")
    config.add_view(EditTemplateView, "skins-edit", context=ISite,
                    permission=MANAGE_SKINS, attr="post", request_method="POST")
    config.add_view(RevertTemplateView, "skins-revert", context=ISite,
                    permission=MANAGE_SKINS, attr="post", request_method="POST")
