"""Default public views of the built-in types."""

from webob import Response

from cupola.interfaces import IContainer, IDocument, IFile, IImage, ILink
from cupola.security.policy import has_permission
from cupola.views.batch import batch_children, batch_container

VIEW = "cupola.View"


class ContentView:
    def __init__(self, context, request):
        self.context, self.request = context, request


class DocumentView(ContentView):
    """A page: title, summary, sanitised body."""

    def __call__(self):
        from cupola.content.references import related_items
        return {"text": self.context.text,
                "related": related_items(self.context, self.request)}


class FolderListing(ContentView):
    """Default view of a container: its children in order, batched."""

    def __call__(self):
        request = self.request
        batch = batch_children(self.context, request)
        if batch is None:  # not inside a cataloged site
            batch = batch_container(
                self.context, request,
                visible=lambda obj: has_permission(VIEW, obj, request))
        return {"batch": batch}


class FileView(ContentView):
    """A page about a file with a download button."""

    def __call__(self):
        return {}


class LinkView(ContentView):
    """Shows the address; visitors follow it with one click."""

    def __call__(self):
        return {"url": self.context.url}


def includeme(config):
    add = config.add_view
    add(FolderListing, "view", context=IContainer, permission=VIEW,
        template="folder_listing.pt", conditional=True)
    add(DocumentView, "view", context=IDocument, permission=VIEW,
        template="document_view.pt", conditional=True)
    add(FileView, "view", context=IFile, permission=VIEW,
        template="file_view.pt", conditional=True)
    add(FileView, "view", context=IImage, permission=VIEW,
        template="image_view.pt", conditional=True)
    add(LinkView, "view", context=ILink, permission=VIEW,
        template="link_view.pt", conditional=True)
