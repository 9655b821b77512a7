"""Cupola's built-in content types, registered like any add-on's."""

from cupola.content.document import Document, Link
from cupola.content.file import File, Image
from cupola.content.folder import Folder, Site
from cupola.interfaces import (IDocumentSchema, IFileSchema, IFolderSchema,
                               IImageSchema, ILinkSchema, ISiteSchema)

CONTENT = ("Folder", "Document", "File", "Image", "Link")


def includeme(config):
    add = config.add_content_type
    add("Site", Site, ISiteSchema, title="Site", addable=False,
        add_permission="cupola.ManageSite", allowed_children=CONTENT,
        icon="home")
    add("Folder", Folder, IFolderSchema, title="Folder",
        add_permission="cupola.AddFolder", allowed_children=CONTENT,
        description="Holds pages, files and other folders.", icon="folder")
    add("Document", Document, IDocumentSchema, title="Page",
        add_permission="cupola.AddDocument", allowed_children=(),
        description="A page of formatted text.", icon="document")
    add("File", File, IFileSchema, title="File",
        add_permission="cupola.AddFile", allowed_children=(),
        description="Any file to download.", icon="file")
    add("Image", Image, IImageSchema, title="Image",
        add_permission="cupola.AddFile", allowed_children=(),
        description="A picture shown on pages.", icon="image")
    add("Link", Link, ILinkSchema, title="Link",
        add_permission="cupola.AddDocument", allowed_children=(),
        description="A link to another address.", icon="link")
