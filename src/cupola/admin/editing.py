"""Adding, editing and deleting content through the web.

* ``<folder>/++add++<Type>``: the add form of a type, generated from its
  schema (``TypeInfo.schema``). Reached by anyone with ``cupola.AddContent``
  there; the type's own add permission is then checked (403 without it).
* ``<object>/@@edit``: the same form filled in, for ``cupola.ModifyContent``.
* ``<object>/@@delete``: a confirmation naming what goes (and counting
  what is inside a folder), then the deletion, for ``cupola.DeleteObjects``.

Each field gets a widget (``cupola.admin.widgets``); what the widgets
cannot parse and what ``operations.validate_fields`` refuses is shown next
to the fields, with the entered values kept, and nothing is stored (the
transaction is doomed). Content is created, changed, renamed and deleted
only through ``cupola.content.operations``, which fire the events the
catalog and the history follow. "Save & publish" takes the workflow's
``publish`` transition right after saving when the user may.
"""

import json
from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zope.schema import getFieldsInOrder

from cupola.admin.forms import AdminView, doom, path_of, require
from cupola.admin.messages import add_message
from cupola.admin.widgets import (NO_VALUE, FileWidget, RichTextWidget,
                                  WidgetError, widget_for)
from cupola.catalog.catalog import find_catalog
from cupola.content import operations
from cupola.content.operations import FieldErrors
from cupola.exceptions import InvalidName, NotAllowedHere, NotFound
from cupola.interfaces import IContainer, IImage, IItem, ISite
from cupola.security.audit import audit
from cupola.security.policy import forget, has_permission
from cupola.security.roles import ADD, DELETE, MODIFY, VIEW
from cupola.traversal import resource_path
from cupola.workflow.engine import (allowed_transitions, do_transition,
                                    get_workflow, state_of)
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


class AddForm(ContentForm):
    """``<container>/++add++<Type>``: a new object of that type."""

    mode = "add"

    def type_info(self):
        subpath = self.request.subpath
        info = self.request.registry.types.get(subpath[0]) \
            if len(subpath) == 1 else None
        if info is None or not info.addable:
            raise NotFound("There is no such type to add.")
        here = self.request.registry.types.get(getattr(self.context, "type_name", None))
        if here is not None and not here.allows(info.name):
            raise NotFound(f"A {info.title} cannot be added here.")
        require(has_permission(info.add_permission, self.context, self.request),
                f"You may not add a {info.title} here.")
        return info

    def can_publish(self, info):
        """Whether the user may publish the new object right after adding it."""
        registry, request = self.request.registry, self.request
        name = getattr(registry, "workflow_by_type", {}).get(info.name)
        workflow = getattr(registry, "workflows", {}).get(name) if name else None
        transition = workflow.transitions.get(PUBLISH) if workflow else None
        return (transition is not None
                and workflow.initial_state in transition.from_states
                and transition.condition is None
                and has_permission(transition.permission, self.context, request))

    def heading(self, info):
        return f"Add {info.title}"

    def parent_link(self):
        ctx = self.context
        return (ctx.title or ctx.__name__ or "Home", self.url(obj=ctx))

    def cancel_url(self):
        return self.url(obj=self.context)

    def form_url(self, info):
        return self.url(obj=self.context).rstrip("/") + "/++add++" + info.name

    def path_prefix(self):
        return path_of(self.context).rstrip("/") + "/"

    def make_widgets(self, info, context, obj=None):
        widgets = super().make_widgets(info, context, obj)
        if any(isinstance(w, FileWidget) for w in widgets):
            for widget in widgets:
                if widget.name == "title":  # see title_from_file
                    widget.optional = True
                    widget.hint = widget.hint or "Leave empty to use the file name."
        return widgets

    def get(self):
        info = self.type_info()
        widgets = self.make_widgets(info, self.context)
        for widget in widgets:
            widget.show(widget.field.default)
        return self.show(info, widgets, self.name_field(""),
                         can_publish=self.can_publish(info))

    def name_field(self, value, error=None):
        return {"value": value, "editable": True, "error": error,
                "hint": "Made from the title when left empty."}

    def post(self):
        info, container = self.type_info(), self.context
        can_publish = self.can_publish(info)
        widgets = self.make_widgets(info, container)
        data, errors = self.read(widgets)
        name = self.text(NAME_FIELD, operations.MAX_NAME + 1)
        self.title_from_file(widgets, data, errors)
        _, problems = operations.validate_fields(info.schema, data)
        for field, message in problems.items():
            errors.setdefault(field, message)
        if name:
            try:
                operations.check_name(container, name)
            except InvalidName as e:
                errors[NAME_FIELD] = str(e)
        if not errors:
            obj, errors = self.create(info, widgets, data, name)
        if errors:
            return self.invalid(info, widgets,
                                self.name_field(name, errors.get(NAME_FIELD)),
                                errors, can_publish)
        title = obj.title or obj.__name__
        why = None
        message = f"{info.title} “{title}” created."
        if self.action == PUBLISH:
            done, why = self.publish(obj)
            if done:
                message = f"{info.title} “{title}” created and published."
        add_message(self.request, message)
        if why:
            self.add_info(f"It was not published: {why}")
        return self.redirect(self.target_after(obj))

    def title_from_file(self, widgets, data, errors):
        """A file added without a title takes its file name as the title."""
        if data.get("title") or "title" in errors:
            return
        for widget in widgets:
            upload = data.get(widget.name)
            if isinstance(widget, FileWidget) and isinstance(upload, tuple):
                title = " ".join((upload[1] or "").split())[:300]
                if title:
                    data["title"] = title
                    next(w for w in widgets if w.name == "title").raw = title
                return

    def create(self, info, widgets, data, name):
        """(new object, {}) or (None, {field: error})."""
        try:
            obj = operations.create(self.request.registry, self.context, info.name,
                                    data, name=name or None, creator=self.user.login)
        except FieldErrors as e:
            return None, dict(e.errors)
        except InvalidName as e:
            return None, {NAME_FIELD: str(e)}
        except NotAllowedHere as e:
            return None, {"": str(e)}
        except ValueError as e:  # the content refused a file (not an image...)
            field = upload_field(widgets, data)
            if not field:
                raise
            return None, {field: _sentence(str(e))}
        return obj, {}


class EditForm(ContentForm):
    """``<object>/@@edit``: change the fields of the object."""

    mode = "edit"

    @property
    def info(self):
        info = self.request.registry.types.get(getattr(self.context, "type_name", None))
        if info is None:
            raise NotFound("This object has no type information to edit it with.")
        return info

    def heading(self, info):
        return f"Edit {info.title}"

    def parent_link(self):
        ctx = self.context
        return (ctx.title or ctx.__name__ or "Home", self.url(obj=ctx))

    def cancel_url(self):
        return self.url(obj=self.context)

    def form_url(self, info):
        return self.url("edit", obj=self.context)

    def path_prefix(self):
        parent = self.context.__parent__
        return path_of(parent).rstrip("/") + "/" if parent is not None else "/"

    def can_rename(self):
        ctx = self.context
        return ctx.__parent__ is not None and has_permission(DELETE, ctx, self.request)

    def can_publish(self):
        return any(t.name == PUBLISH for t in allowed_transitions(
            self.request.registry, self.context, self.request))

    def name_field(self, value, error=None):
        if self.context.__parent__ is None:
            return None
        return {"value": value, "editable": self.can_rename(), "error": error,
                "hint": "Changing it changes the address of this item and "
                        "everything inside it."}

    def get(self):
        info, obj = self.info, self.context
        widgets = self.make_widgets(info, obj, obj)
        for widget in widgets:
            widget.show(getattr(obj, widget.name, widget.field.default))
        return self.show(info, widgets, self.name_field(obj.__name__),
                         can_publish=self.can_publish())

    def post(self):
        info, obj, registry = self.info, self.context, self.request.registry
        can_publish = self.can_publish()
        widgets = self.make_widgets(info, obj, obj)
        data, errors = self.read(widgets)
        _, problems = operations.validate_fields(info.schema, data, partial=True)
        for field, message in problems.items():
            errors.setdefault(field, message)
        name = obj.__name__
        if obj.__parent__ is not None and self.can_rename():
            name = self.text(NAME_FIELD, operations.MAX_NAME + 1) or obj.__name__
            if name != obj.__name__:
                try:
                    operations.check_name(obj.__parent__, name)
                except InvalidName as e:
                    errors[NAME_FIELD] = str(e)
        if not errors:
            try:
                changed = operations.edit(registry, obj, data, actor=self.user.login,
                                          comment=self.text(COMMENT_FIELD, 500))
            except FieldErrors as e:
                errors = dict(e.errors)
            except ValueError as e:  # the content refused a new file
                field = upload_field(widgets, data)
                if not field:
                    raise
                errors = {field: _sentence(str(e))}
        if errors:
            return self.invalid(info, widgets, self.name_field(name, errors.get(NAME_FIELD)),
                                errors, can_publish)
        if name != obj.__name__:
            operations.rename(obj, name)
            changed.append("name")
        published, why = False, None
        if self.action == PUBLISH:
            published, why = self.publish(obj)
        if changed:
            add_message(self.request, "Changes saved and published." if published
                        else "Changes saved.")
        elif published:
            add_message(self.request, "Published.")
        else:
            add_message(self.request, "Nothing to save: no field was changed.", "info")
        if why:
            self.add_info(f"It was not published: {why}")
        return self.redirect(self.target_after(obj))


class DeleteView(AdminView):
    """``<object>/@@delete``: confirm, then delete the object and its contents."""

    template = "content_delete.pt"

    def target(self):
        require(self.context.__parent__ is not None, "The site itself cannot be deleted.")
        return self.context

    def inside(self, obj):
        """How many objects are inside *obj* (all levels), from the catalog."""
        if not IContainer.providedBy(obj):
            return 0
        catalog = find_catalog(obj)
        if catalog is None:
            return len(obj)
        return max(0, len(catalog.search(self.request, path=resource_path(obj),
                                         unrestricted=True)) - 1)

    def get(self):
        obj = self.target()
        return self.render({
            "type_title": self.type_title(obj), "inside": self.inside(obj),
            "path": path_of(obj), "cancel_url": self.url(obj=obj),
            "is_container": IContainer.providedBy(obj)})

    def type_title(self, obj):
        info = self.request.registry.types.get(obj.type_name)
        return info.title if info is not None else obj.type_name

    def post(self):
        obj = self.target()
        parent, title = obj.__parent__, obj.title or obj.__name__
        count = self.inside(obj)
        operations.delete(obj, actor=self.user.login)
        message = f"Deleted “{title}”"
        if count:
            message += (" and the item inside it" if count == 1
                        else f" and the {count:,} items inside it")
        message += "."
        if may_use_view(self.request, self.site, "trash"):
            message += " It can be restored from the recycle bin."
        target = self.url(obj=parent) if has_permission(VIEW, parent, self.request) \
            else self.url()
        return self.redirect(target, message)


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


def includeme(config):
    add = config.add_view
    # ++add++ is open to anyone who may add something there; the type's own
    # add permission is checked in the view (403 without it).
    add(AddForm, "++add++", context=IContainer, permission=ADD, attr="get",
        accepts_subpath=True)
    add(AddForm, "++add++", context=IContainer, permission=ADD, attr="post",
        request_method="POST", accepts_subpath=True)
    for view, name, permission in ((EditForm, "edit", MODIFY),
                                   (DeleteView, "delete", DELETE)):
        add(view, name, context=IItem, permission=permission, attr="get")
        add(view, name, context=IItem, permission=permission, attr="post",
            request_method="POST")
