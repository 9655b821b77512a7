"""What the add and edit forms share: the widgets of a type's schema,
reading them, showing the form again with errors, "Save & publish"."""

import json
from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zope.schema import getFieldsInOrder

from cupola.admin.forms import AdminView, doom, path_of
from cupola.admin.messages import add_message
from cupola.admin.widgets import (NO_VALUE, FileWidget, RichTextWidget,
                                  WidgetError, widget_for)
from cupola.interfaces import IImage, ISite
from cupola.security.audit import audit
from cupola.security.policy import forget, has_permission
from cupola.security.roles import VIEW
from cupola.workflow.engine import do_transition, get_workflow, state_of
from cupola.workflow.model import WorkflowError

PUBLISH = "publish"  # the transition "Save & publish" takes
NAME_FIELD = "_name"  # "Name in URL"
ACTION_FIELD = "_action"  # which button: "save" or "publish"
COMMENT_FIELD = "_comment"  # edit: a note on the change, kept in the history
SECTIONS = {"publishing": "Publishing"}  # collapsed parts of the form
SECTION_OF = {"effective": "publishing", "expires": "publishing"}
MAIN_LAST = ("subjects",)
NOT_ON_SITE = frozenset({"effective", "expires"})  # after the type's own fields (the body text...)
EDITOR_BUNDLE = "vendor/editor.js"  # built by `make` from package.json
DEFAULT_MAX_BODY = 256 << 20


def upload_limit(request):
    """The largest request body the publisher accepts, in bytes."""
    app = getattr(request.registry, "application", None)
    if app is not None:
        return app.max_body
    return int(request.registry.settings.get("max_request_body", DEFAULT_MAX_BODY))


def site_time_zone(site):
    """The site's time zone (setting ``timezone``), UTC when unset or unknown."""
    name = site.settings.get("timezone") if site is not None else None
    if name:
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.utc


class FormSetting:
    """What widgets need to know of the form they are on."""

    def __init__(self, request, context, obj, info):
        self.request, self.context, self.obj, self.info = request, context, obj, info
        self.time_zone = site_time_zone(request.site)
        self.max_upload = upload_limit(request)
        self.accept = "image/*" if IImage.implementedBy(info.factory) else None


class ContentForm(AdminView):
    """What the add and edit forms share: widgets, reading, showing."""

    template = "edit_form.pt"
    mode = None

    def make_widgets(self, info, context, obj=None):
        setting = FormSetting(self.request, context, obj, info)
        widgets = []
        for name, field in getFieldsInOrder(info.schema):
            if name in NOT_ON_SITE and ISite.providedBy(obj):
                continue  # a site outside its publication window is a dead site
            widget = widget_for(name, field, setting)
            if widget.section == "main":
                widget.section = SECTION_OF.get(name, "main")
            widgets.append(widget)
        return widgets

    def read(self, widgets):
        """({field: value}, {field: error}) from the POSTed form."""
        data, errors = {}, {}
        for widget in widgets:
            try:
                value = widget.read(self.request)
            except WidgetError as e:
                errors[widget.name] = str(e)
                continue
            if value is not NO_VALUE:
                data[widget.name] = value
        start, end = data.get("effective"), data.get("expires")
        if start and end and end <= start and "expires" not in errors:
            errors["expires"] = "Choose a time after “Publish from”."
        return data, errors

    @property
    def action(self):
        return (self.form.get(ACTION_FIELD) or "save").strip()

    def show(self, info, widgets, name, errors=None, can_publish=False,
             status=200):
        errors = errors or {}
        for widget in widgets:
            widget.error = errors.get(widget.name)
        main = [w for w in widgets if w.section == "main"]
        main.sort(key=lambda w: w.name in MAIN_LAST)
        sections = []
        for key in dict.fromkeys(w.section for w in widgets if w.section != "main"):
            members = [w for w in widgets if w.section == key]
            sections.append({
                "key": key, "title": SECTIONS.get(key, key.replace("_", " ").title()),
                "widgets": members,
                "open": any(w.error or (w.raw and w.raw != [""]) for w in members)})
        summary = [(w.id, w.label, w.error) for w in widgets if w.error]
        if errors.get(NAME_FIELD):
            summary.insert(1 if summary else 0,
                           ("field-name", "Name in URL", errors[NAME_FIELD]))
        if errors.get(""):
            summary.insert(0, (None, None, errors[""]))
        has_file = any(isinstance(w, FileWidget) for w in widgets)
        rich = any(isinstance(w, RichTextWidget) for w in widgets)
        return self.render({
            "mode": self.mode, "info": info, "main": main, "sections": sections,
            "name": name, "errors": summary, "can_publish": can_publish,
            "multipart": has_file,
            "editor_src": self.editor_src() if rich else None,
            "cancel_url": self.cancel_url(), "form_url": self.form_url(info),
            "heading": self.heading(info), "parent": self.parent_link(),
            "path_prefix": self.path_prefix(),
            "comment": self.form.get(COMMENT_FIELD, "") if self.mode == "edit" else None},
            status=status)

    def editor_src(self):
        """URL of the rich-text editor bundle, None when it was not built."""
        skins = self.request.registry.skins
        if skins.static_path("cupola-admin", EDITOR_BUNDLE) is None:
            return None
        page = self.request.registry.page_factory(self.request, self.context)
        return page.static(EDITOR_BUNDLE, "cupola-admin")

    def invalid(self, info, widgets, name, errors, can_publish):
        doom(self.request)
        return self.show(info, widgets, name, errors, can_publish)

    def publish(self, obj):
        """Take PUBLISH on *obj*; (done, why not)."""
        request = self.request
        registry = request.registry
        forget(request)  # the object is new or changed: roles may differ
        before = state_of(registry, obj)
        try:
            state = do_transition(registry, obj, request, PUBLISH,
                                  actor=self.user.login)
        except WorkflowError as e:
            return False, str(e)
        forget(request)
        workflow = get_workflow(registry, obj)
        audit(request, f"workflow.{PUBLISH}", object=path_of(obj), title=obj.title,
              transition=workflow.transitions[PUBLISH].title,
              before=before.name if before else None, after=state.name)
        return True, None

    def add_info(self, text):
        add_message(self.request, text, "info")

    def redirect(self, url, message=None, kind="success"):
        """The 303 of AdminView; to edit.js, which uploads with progress
        (header X-Cupola-Upload), a 200 with ``{"location": url}``."""
        response = super().redirect(url, message, kind)
        if self.request.headers.get("X-Cupola-Upload"):
            response.status = 200
            del response.headers["Location"]
            response.content_type = "application/json"
            response.body = json.dumps({"location": url}).encode()
        return response

    def target_after(self, obj):
        """Where to go after saving: the object, else its parent, else home."""
        if has_permission(VIEW, obj, self.request):
            return self.url(obj=obj)
        parent = obj.__parent__
        if parent is not None and has_permission(VIEW, parent, self.request):
            return self.url(obj=parent)
        return self.url()


def upload_field(widgets, data):
    """The name of the file field that got an upload, or ''."""
    return next((w.name for w in widgets if isinstance(w, FileWidget)
                 and isinstance(data.get(w.name), tuple)), "")


def may_use_view(request, context, name):
    """Whether view *name* exists on *context* and the user may GET it."""
    info = request.registry.query_view(context, request, name)
    entry = info.methods.get("GET") if info is not None else None
    return entry is not None and has_permission(entry.permission, context, request)


def _sentence(text):
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text
