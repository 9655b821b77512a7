"""Adding, editing and deleting content through the web.

* ``<folder>/++add++<Type>``: the add form of a type, generated from its
  schema (``TypeInfo.schema``). Reached by anyone with ``cupola.AddContent``
  there; the type's own add permission is then checked (403 without it).
* ``<object>/@@edit``: the same form filled in, for ``cupola.ModifyContent``.
* ``<object>/@@delete``: a confirmation naming what goes (and counting
  what is inside a folder), then the deletion, for ``cupola.DeleteObjects``.

The forms' common part is ``cupola.admin.content_form``; ``@@delete`` is
``cupola.admin.deleting``. Each field gets a widget (``cupola.admin.widgets``); what the widgets
cannot parse and what ``operations.validate_fields`` refuses is shown next
to the fields, with the entered values kept, and nothing is stored (the
transaction is doomed). Content is created, changed, renamed and deleted
only through ``cupola.content.operations``, which fire the events the
catalog and the history follow. "Save & publish" takes the workflow's
``publish`` transition right after saving when the user may.
"""

from cupola.admin.content_form import (COMMENT_FIELD, NAME_FIELD, PUBLISH, ContentForm,
                                       _sentence, upload_field)
from cupola.admin.deleting import DeleteView
from cupola.admin.forms import path_of, require
from cupola.admin.messages import add_message
from cupola.admin.widgets import FileWidget
from cupola.content import operations
from cupola.content.operations import FieldErrors
from cupola.exceptions import InvalidName, NotAllowedHere, NotFound
from cupola.interfaces import IContainer, IItem
from cupola.security.policy import has_permission
from cupola.security.roles import ADD, DELETE, MODIFY
from cupola.workflow.engine import allowed_transitions


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
