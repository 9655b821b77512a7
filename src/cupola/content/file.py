"""Files and images, kept in ZODB blobs."""

import mimetypes
import os

from ZODB.blob import Blob
from zope.interface import implementer

from cupola.content.item import Item
from cupola.interfaces import IFile, IImage

CHUNK = 1 << 16


@implementer(IFile)
class File(Item):
    """A file whose bytes live in a blob; never loaded whole into memory."""

    type_name = "File"
    filename = ""
    content_type = "application/octet-stream"
    _size = 0

    def __init__(self, title="", description="", data=None, filename="",
                 content_type=None):
        super().__init__(title, description)
        self.blob = Blob()
        if data is not None:
            self.set_data(data, filename, content_type)

    def set_data(self, data, filename="", content_type=None):
        """Store *data* (bytes or a readable file object) in a new blob.

        A new Blob each time, never the old one rewritten: the revisions
        keep the earlier blobs (cupola.content.revisions).
        """
        self.filename = os.path.basename(filename or "").strip() or self.filename
        self.content_type = (content_type or guess_type(self.filename)
                             or "application/octet-stream")
        size = 0
        self.blob = Blob()
        with self.blob.open("w") as out:
            if isinstance(data, (bytes, bytearray)):
                out.write(data)
                size = len(data)
            else:
                while chunk := data.read(CHUNK):
                    out.write(chunk)
                    size += len(chunk)
        self._size = size
        self.touch()

    def open(self):
        """A readable file object on the committed bytes."""
        return self.blob.open("r")

    @property
    def size(self):
        return self._size


def guess_type(filename):
    ctype, _ = mimetypes.guess_type(filename or "")
    return ctype


@implementer(IImage)
class Image(File):
    """An image; knows its width and height in pixels."""

    type_name = "Image"
    width = height = 0

    def set_data(self, data, filename="", content_type=None):
        super().set_data(data, filename, content_type)
        self.width, self.height, fmt = read_image_size(self.blob)
        if fmt:
            self.content_type = f"image/{fmt.lower()}"


def read_image_size(blob):
    """(width, height, format) of the image in *blob*; ValueError if none."""
    from PIL import Image as PILImage, UnidentifiedImageError
    try:
        with blob.open("r") as f, PILImage.open(f) as img:
            fmt = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif",
                   "WEBP": "webp"}.get(img.format)
            return img.width, img.height, fmt
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError("this file is not an image Cupola can read") from e
