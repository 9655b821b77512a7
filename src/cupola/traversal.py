"""From a URL path to (context, view name, subpath); never by attribute.

Each segment is looked up with an ``ITraversable`` adapter when one is
registered for the object, else with ``__getitem__`` on containers. A
segment starting with ``@@`` names a view; ``++namespace++name`` hands the
rest to a namespace (``++resource++`` for static files, ``++add++`` later);
the first segment that is not found is taken as a view name, the rest as
the subpath.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from cupola.exceptions import BadRequest, NotFound
from cupola.interfaces import IContainer

MAX_SEGMENTS = 64


@dataclass
class Traversed:
    context: object
    view_name: str = ""
    subpath: tuple = ()
    traversed: list = field(default_factory=list)
    namespace: str = None


def split_path(path):
    """Segments of a decoded path; '.' dropped, '..' refused."""
    segments = [s for s in path.split("/") if s and s != "."]
    if len(segments) > MAX_SEGMENTS:
        raise BadRequest("The address has too many parts.")
    for s in segments:
        if s == "..":
            raise BadRequest("The address may not contain '..'.")
    return segments


def traverse(root, segments, registry):
    """Walk *segments* from *root*; see the module docstring."""
    context = root
    query_traverser = registry.query_traverser
    for i, segment in enumerate(segments):
        if segment.startswith("@@"):
            return Traversed(context, segment[2:], tuple(segments[i + 1:]),
                             segments[:i])
        if segment.startswith("++"):
            ns, sep, name = segment[2:].partition("++")
            if not sep or not ns:
                raise NotFound(f"bad namespace segment {segment!r}")
            return Traversed(context, name, tuple(segments[i + 1:]),
                             segments[:i], namespace=ns)
        traverser = query_traverser(context)
        try:
            if traverser is not None:
                nxt = traverser.traverse(segment, None)
            elif IContainer.providedBy(context):
                nxt = context[segment]
            else:
                raise KeyError(segment)
        except KeyError:
            return Traversed(context, segment, tuple(segments[i + 1:]),
                             segments[:i])
        context = nxt
    return Traversed(context, "", (), segments)


def find_root(obj):
    while obj.__parent__ is not None:
        obj = obj.__parent__
    return obj


def lineage(obj):
    """*obj* and its parents up to the root."""
    while obj is not None:
        yield obj
        obj = obj.__parent__


_PLAIN = re.compile(r"[A-Za-z0-9~!$&'()*+,;=:@._-]*\Z")


def quote_name(name):
    """A name as a URL path segment (most names need no quoting)."""
    if _PLAIN.match(name):
        return name
    return quote(name, safe="~!$&'()*+,;=:@-._")


def resource_path(obj):
    """'/a/b/doc' for an object (quoted); '/' for the root."""
    names = []
    while obj.__parent__ is not None:
        names.append(quote_name(obj.__name__))
        obj = obj.__parent__
    names.reverse()
    return "/" + "/".join(names)


def find_interface(obj, iface):
    """The nearest object up the tree providing *iface*, or None."""
    for node in lineage(obj):
        if iface.providedBy(node):
            return node
    return None
