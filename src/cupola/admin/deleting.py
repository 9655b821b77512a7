"""``<object>/@@delete``: a confirmation naming what goes (and counting
what is inside a folder), then the deletion into the recycle bin."""

from cupola.admin.content_form import may_use_view
from cupola.admin.forms import AdminView, path_of, require
from cupola.catalog.catalog import find_catalog
from cupola.content import operations
from cupola.interfaces import IContainer
from cupola.security.policy import has_permission
from cupola.security.roles import VIEW
from cupola.traversal import resource_path


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
