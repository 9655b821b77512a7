"""Every interface of Cupola. This module imports nothing from cupola."""

from zope.interface import Attribute, Interface
from zope.interface.interfaces import IObjectEvent
from zope import schema


# --- content ---------------------------------------------------------------

class ILocation(Interface):
    """An object that knows where it lives in the tree."""

    __parent__ = Attribute("The container, or None at the root.")
    __name__ = Attribute("The name under which the parent holds it.")


class IItem(ILocation):
    """A piece of content: it has a type, a title and dates."""

    type_name = Attribute("Name of the content type (e.g. 'Document').")
    title = Attribute("Title shown to people.")
    description = Attribute("Short summary, plain text.")
    created = Attribute("Creation time (aware datetime, UTC).")
    modified = Attribute("Last modification time (aware datetime, UTC).")


class IContainer(IItem):
    """An item that holds other items by name, in an explicit order."""

    def __getitem__(name):
        """Return the child called *name* or raise KeyError."""

    def get(name, default=None):
        """Return the child called *name* or *default*."""

    def __contains__(name):
        """Whether a child called *name* exists."""

    def __len__():
        """Number of children, O(1)."""

    def keys():
        """Child names in their explicit order."""

    def values():
        """Children in their explicit order."""

    def slice(start, stop):
        """Children from position *start* to *stop* (exclusive)."""


class IFolder(IContainer):
    """A container that editors may order by hand."""

    def set_order(names):
        """Order children as *names*; raise ValueError on a gap."""


class ISite(IFolder):
    """The root of a Cupola site."""


class IDocument(IItem):
    """A page with a rich-text body."""


class IFile(IItem):
    """A file kept in a ZODB blob."""


class IImage(IFile):
    """An image file that knows its pixel size."""


class ILink(IItem):
    """A link to another address."""


# --- schemas (the fields editors fill in) ----------------------------------

class IBasicSchema(Interface):
    title = schema.TextLine(title="Title", required=True, max_length=300)
    description = schema.Text(title="Summary", required=False, default="",
                               max_length=2000)
    subjects = schema.Tuple(
        title="Tags", required=False, default=(), max_length=50,
        value_type=schema.TextLine(max_length=100))
    effective = schema.Datetime(
        title="Publish from", required=False, default=None,
        description="Visitors see it only from this time on.")
    expires = schema.Datetime(
        title="Expires", required=False, default=None,
        description="Visitors no longer see it from this time on.")


class IFolderSchema(IBasicSchema):
    pass


class ISiteSchema(IBasicSchema):
    pass


class IDocumentSchema(IBasicSchema):
    text = schema.Text(title="Body text", required=False, default="")
    related = schema.Tuple(
        title="Related items", required=False, default=(), max_length=50,
        description="Pages, files or folders shown as related to this one.",
        value_type=schema.TextLine(min_length=32, max_length=32))


# stored as uuids (cupola.content.references), picked with a site browser
IDocumentSchema["related"].setTaggedValue("cupola.widget", "references")
IDocumentSchema["related"].setTaggedValue("cupola.section", "related")


class IFileSchema(IBasicSchema):
    file = schema.Bytes(title="File", required=True)


class IImageSchema(IFileSchema):
    pass


class ILinkSchema(IBasicSchema):
    url = schema.URI(title="Address", required=True)


# --- type information ------------------------------------------------------

class ITypeInfo(Interface):
    """What the registry knows of one content type."""

    name = Attribute("Type name, e.g. 'Document'.")
    title = Attribute("Name shown to people.")
    factory = Attribute("Callable returning a new, empty instance.")
    schema = Attribute("zope.schema interface of the editable fields.")
    allowed_children = Attribute("Type names that may be added inside, "
                                 "None for any, () for none.")
    add_permission = Attribute("Permission needed to add one.")
    default_view = Attribute("Name of the view shown at the object's URL.")
    addable = Attribute("Whether editors may add it (the Site is not).")


# --- registry and publishing -----------------------------------------------

class IRequest(Interface):
    """The layer every request provides; skins and add-ons add others."""


class IDefaultLayer(IRequest):
    """The layer of Cupola's own views."""


class IView(Interface):
    """A callable (context, request) -> response or dict for a template."""


class IViewRegistration(Interface):
    """Marker for the registered view records (see registry.ViewInfo)."""


class ITraversable(Interface):
    """Adapter that resolves a path segment on an object."""

    def traverse(name, request):
        """Return the next object or raise KeyError."""


class IExceptionView(Interface):
    """Marker for views registered for exceptions."""


class IRootFactory(Interface):
    """Utility returning the site root from a ZODB connection."""


class ISkinLayers(Interface):
    """Utility: the ordered skin layers and the template loader."""


class IPermission(Interface):
    """A named permission registered as a utility."""

    name = Attribute("Dotted name, e.g. 'cupola.View'.")
    title = Attribute("Name shown to people.")


class ISecurityPolicy(Interface):
    """Utility deciding whether a request may use a permission on context."""

    def has_permission(permission, context, request):
        """Return True if allowed."""

    def authenticated_userid(request):
        """Return the user id of the request or None."""


# --- events ----------------------------------------------------------------

class IObjectWillBeAdded(IObjectEvent):
    """Fired before an object is stored in a container."""
    parent = Attribute("The container it goes into.")
    name = Attribute("The name it will have.")


class IObjectAdded(IObjectEvent):
    """Fired after an object was stored in a container."""
    parent = Attribute("The container.")
    name = Attribute("Its name.")


class IObjectModified(IObjectEvent):
    """Fired after fields of an object changed."""
    fields = Attribute("Names of the changed fields.")
    old = Attribute("{field: value before the change}, or {} when unknown.")
    actor = Attribute("Login of who changed it, or None.")
    comment = Attribute("What the actor wrote about the change, or ''.")


class IObjectWillBeRemoved(IObjectEvent):
    """Fired before an object leaves its container (delete or move)."""
    parent = Attribute("The container.")
    name = Attribute("Its name.")


class IObjectRemoved(IObjectEvent):
    """Fired after an object left its container for good."""
    parent = Attribute("The former container.")
    name = Attribute("Its former name.")


class IObjectWillBeMoved(IObjectEvent):
    """Fired before a move or rename."""
    old_parent = Attribute("Where it was.")
    old_name = Attribute("Its name there.")
    new_parent = Attribute("Where it goes.")
    new_name = Attribute("Its name there.")


class IObjectMoved(IObjectEvent):
    """Fired after a move or rename."""
    old_parent = Attribute("Where it was.")
    old_name = Attribute("Its name there.")
    new_parent = Attribute("Where it is now.")
    new_name = Attribute("Its name now.")


class IObjectCopied(IObjectEvent):
    """Fired after a copy was made and added (object is the copy)."""
    original = Attribute("The object that was copied.")


class IObjectRestored(IObjectEvent):
    """Fired after an object came back from the recycle bin (after the
    ObjectAdded of its new place)."""
    parent = Attribute("The container it is in now.")
    name = Attribute("Its name there.")


class IObjectPurged(IObjectEvent):
    """Fired when an object in the recycle bin is deleted for good
    (object is the top of the purged subtree, already detached)."""


class ILocalRolesModified(IObjectEvent):
    """Fired after local roles on an object, or its blocking of inherited
    ones, changed (everything below may now be visible to others)."""


class IApplicationCreated(Interface):
    """Fired once the WSGI application is configured."""
    app = Attribute("The application.")


# --- revisions and the recycle bin ------------------------------------------

class IRevision(Interface):
    """One recorded change of a piece of content."""

    number = Attribute("1, 2, 3... in the order of the changes.")
    action = Attribute("'create', 'edit', 'revert', 'copy', 'baseline', "
                       "'delete' or 'restore'.")
    fields = Attribute("Names of the fields this revision set.")
    values = Attribute("{field: value after the change} of those fields.")
    actor = Attribute("Login of who did it, or None.")
    time = Attribute("When (aware datetime, UTC).")
    comment = Attribute("What the actor wrote, or ''.")


class IRecycleBin(Interface):
    """Deleted content of a site, kept until restored or purged."""

    def __len__():
        """Number of deleted items (top objects, not their contents)."""

    def get(key, default=None):
        """The entry *key* or *default*."""

    def newest(start=0, size=None):
        """Entries, newest first."""


# --- workflow --------------------------------------------------------------

class IWorkflow(Interface):
    """A state machine for content: states, transitions, an initial state."""

    name = Attribute("Registered name, e.g. 'simple_publication'.")
    title = Attribute("Name shown to people.")
    states = Attribute("Read-only mapping {state name: State}, in order.")
    transitions = Attribute("Read-only mapping {name: Transition}, in order.")
    initial_state = Attribute("Name of the state new content starts in.")


class IObjectTransitioned(IObjectEvent):
    """Fired after an object went through a workflow transition."""
    workflow = Attribute("The IWorkflow.")
    transition = Attribute("The Transition taken.")
    from_state = Attribute("The State it left.")
    to_state = Attribute("The State it is in now.")
    comment = Attribute("What the actor wrote, or ''.")
    actor = Attribute("Login of who did it, or None.")


class IWorkflowAware(Interface):
    """Marker of content put under a workflow (set when it is initialised)."""

    workflow_state = Attribute("Name of the current state.")
    workflow_history = Attribute("PersistentList of dicts: action, actor, "
                                 "time, from, to, comment; oldest first.")
