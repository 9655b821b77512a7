"""The errors of export and import: each names the file or object at fault."""

from cupola.exceptions import CupolaError


class TransferError(CupolaError):
    """An export or import that cannot be done; nothing was written.

    ``where`` is the file (import) or site path (export) at fault, or None.
    """

    def __init__(self, message, where=None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
