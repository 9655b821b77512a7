"""What a page shows for content whose add-on is not there.

Two cases end here, through one fallback view for any item:

* the add-on is installed but not active on this site: the object loads,
  but only the add-on's layer has a view for it;
* the add-on's package is gone: ZODB loads the object as a broken object,
  which ``cupola.addons.missing`` turns into a read-only ``MissingContent``.
"""

from cupola.interfaces import IContainer, IItem

VIEW = "cupola.View"
SHOWN = 100  # children listed on the placeholder of a container


def describe(context, registry):
    """(what, needs) of content that has no view of its own here."""
    missing = getattr(context, "missing_class", None)
    if missing is not None:
        return (context.type_name or missing,
                f"the package {missing.split('.')[0]!r}, which is not installed")
    info = registry.types.get(getattr(context, "type_name", None))
    if info is not None and info.addon is not None:
        addon = registry.addons.get(info.addon)
        title = addon.title if addon is not None else info.addon
        return info.title, f"the add-on {title}, which is not active on this site"
    return getattr(context, "type_name", "item"), "a view that is not installed"


class PlaceholderView:
    """Title, summary and why the content cannot be shown."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        what, needs = describe(self.context, self.request.registry)
        children = []
        if IContainer.providedBy(self.context):  # editors reach what is inside
            children = self.context.slice(0, SHOWN)
        return {"what": what, "needs": needs, "children": children,
                "more": max(0, len(self.context) - SHOWN) if children else 0}


def includeme(config):
    config.add_view(PlaceholderView, "view", context=IItem, permission=VIEW,
                    template="addon_placeholder.pt")
