"""Moving content between sites: a subtree as JSON plus files, or as a
ZODB export (``.zexp``).

The JSON format (``writer`` and ``reader``) is readable and diffable: one
folder per object, its fields and metadata in ``_object.json``, its
revisions in ``_revisions.json``, its files beside them. ``loader`` puts a
checked export into a folder of a site through the content operations, so
events fire and the catalog indexes; ``zexp`` makes exact copies through
``Connection.exportFile``/``importFile``. ``extras`` carries add-ons' data
kept outside their schemas through the handlers they register with
``config.add_transfer_handler``. See docs/operations.md.
"""

from cupola.transfer.errors import TransferError
from cupola.transfer.loader import load_export
from cupola.transfer.reader import read_export
from cupola.transfer.writer import export_tree

__all__ = ["TransferError", "export_tree", "load_export", "read_export"]
