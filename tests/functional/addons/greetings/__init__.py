"""A fixture add-on: content types (an item and a folder), views, a skin
layer that overrides a core template, an event handler, install and
uninstall steps."""

from pathlib import Path

from zope import schema
from zope.interface import implementer

from cupola.content import operations
from cupola.content.folder import Folder
from cupola.content.item import Item
from cupola.interfaces import (IBasicSchema, IDocument, IFolder, IFolderSchema,
                               IItem, IObjectAdded)


class IGreeting(IItem):
    """A greeting."""


class IGreetingSchema(IBasicSchema):
    greeting = schema.TextLine(title="Greeting", required=False, default="Hello")


@implementer(IGreeting)
class Greeting(Item):
    type_name = "Greeting"
    greeting = "Hello"


class IGreetingBox(IFolder):
    """A folder of greetings."""


@implementer(IGreetingBox)
class GreetingBox(Folder):
    type_name = "GreetingBox"


def greeting_view(context, request):
    return {"greeting": context.greeting}


def shout(context, request):
    return {"loud": context.title.upper()}


def count_documents(obj, event):
    site = event.parent
    while site.__parent__ is not None:
        site = site.__parent__
    site.settings["greetings.documents"] = site.settings.get("greetings.documents", 0) + 1


def install(site, registry):
    operations.create(registry, site, "Greeting",
                      {"title": "Hello world", "greeting": "Good morning"}, name="hello")
    site.settings["greetings.installed"] = "yes"


def uninstall(site, registry):
    site.settings["greetings.installed"] = "no"


def includeme(config):
    config.add_addon("greetings", title="Greetings", version="1.0",
                     description="Says hello on every page.",
                     install=install, uninstall=uninstall)
    config.add_content_type("Greeting", Greeting, IGreetingSchema,
                            title="Greeting", add_permission="cupola.AddDocument",
                            allowed_children=(), addable_in=("Site", "Folder"))
    config.add_content_type("GreetingBox", GreetingBox, IFolderSchema,
                            title="Greeting box", add_permission="cupola.AddFolder",
                            allowed_children=("Greeting", "Document"), addable_in=("Site",))
    config.add_skin_layer("greetings", Path(__file__).parent / "skins")
    config.add_view(greeting_view, "view", context=IGreeting,
                    permission="cupola.View", template="greeting_view.pt")
    config.add_view(shout, "shout", context=IDocument,
                    permission="cupola.View", template="shout.pt")
    config.add_subscriber(count_documents, IDocument, IObjectAdded)
