"""The through-the-web ``custom`` skin layer: templates stored in the site.

A Manager copies a template of a file layer into the site (``@@skins``),
edits it and saves it; from then on it wins over every file layer, in every
process that opens the database. Stored state::

    site.custom_templates   OOBTree {template name: CustomTemplate}

Each ``CustomTemplate`` is its own persistent record, so its ``_p_serial``
changes with every save (and with an undo): ``cupola.skins.Skins`` keys its
compiled copy on that serial, never on process memory.

A stored template runs with the same power as a template file on disk
(Python expressions included), which is why only Managers may save one.
"""

from datetime import datetime, timezone

from BTrees.OOBTree import OOBTree
from chameleon import PageTemplate
from chameleon.exc import TemplateError
from persistent import Persistent

from cupola.exceptions import CupolaError

MAX_SOURCE = 512 * 1024  # characters: far more than any real template


class TemplateRefused(CupolaError, ValueError):
    """The source does not compile; ``line`` and ``column`` say where."""

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __str__(self):
        if self.line:
            return f"Line {self.line}, column {self.column}: {self.message}"
        return self.message


class CustomTemplate(Persistent):
    """One template of the custom layer: its source and who saved it when."""

    def __init__(self, name, source, origin=None, login=None):
        self.name = name
        self.source = source
        self.origin = origin      # the layer it was copied from
        self.modified = datetime.now(timezone.utc)
        self.modified_by = login

    def update(self, source, login=None):
        self.source = source
        self.modified = datetime.now(timezone.utc)
        self.modified_by = login


def query_custom_layer(site):
    """The site's custom layer (an OOBTree), or None when nothing was saved."""
    return getattr(site, "custom_templates", None) if site is not None else None


def get_custom_layer(site):
    """The site's custom layer, made on first use."""
    layer = query_custom_layer(site)
    if layer is None:
        layer = site.custom_templates = OOBTree()
    return layer


def compile_source(source, name="template.pt"):
    """The compiled PageTemplate of *source*; raise TemplateRefused if it does not compile."""
    if len(source) > MAX_SOURCE:
        raise TemplateRefused(f"The template is longer than {MAX_SOURCE:,} characters.")
    if not source.strip():
        raise TemplateRefused("The template is empty.")
    try:
        return PageTemplate(source, filename=f"custom/{name}")
    except TemplateError as e:
        line, column = e.location
        return _refuse(e.args[0], line, column)
    except SyntaxError as e:  # a Python expression Chameleon passed through
        return _refuse(e.msg, e.lineno, e.offset)


def _refuse(message, line, column):
    raise TemplateRefused(str(message).strip().split("\n")[0], line or None, column)


def save_template(site, name, source, origin=None, login=None):
    """Store *source* as the custom *name* after it compiles; True if new.

    Raises TemplateRefused (and stores nothing) when it does not compile.
    """
    compile_source(source, name)
    layer = get_custom_layer(site)
    stored = layer.get(name)
    if stored is None:
        layer[name] = CustomTemplate(name, source, origin, login)
        return True
    if stored.source != source:
        stored.update(source, login)
    return False


def revert_template(site, name):
    """Remove *name* from the custom layer; False when it was not there."""
    layer = query_custom_layer(site)
    if layer is None or name not in layer:
        return False
    del layer[name]
    return True
