"""Plain text of uploaded files (PDF, DOCX, ODT, text, HTML) for the
full-text index. A broken or hostile file gives "" and a logged warning."""

import codecs
import io
import itertools
import logging
import os
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
import pypdf
from defusedxml import DefusedXmlException
from pypdf.errors import PyPdfError

from cupola.catalog.text import searchable_html_text

log = logging.getLogger("cupola.catalog")

MAX_CHARS = 2_000_000
MAX_PAGES = 500
MAX_MEMBER_SIZE = 50 * 1024 * 1024
# Deflate rarely packs XML better than 20:1; zeros reach 1000:1.
MAX_RATIO = 200

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT, HTML = "text/plain", "text/html"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".odt": ODT, ".txt": TEXT,
              ".text": TEXT, ".html": HTML, ".htm": HTML}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
# member, body tag, tags whose text counts (None: all text in the body),
# and {tag: (text before its content, text after)}
_DOCX = ("word/document.xml", _W + "body", {_W + "t"},
         {_W + "p": ("", "\n"), _W + "tab": ("\t", ""), _W + "br": ("\n", ""),
          _W + "cr": ("\n", "")})
_ODT = ("content.xml", _O + "body", None,
        {_T + "p": ("", "\n"), _T + "h": ("", "\n"), _T + "s": (" ", ""),
         _T + "tab": ("\t", ""), _T + "line-break": ("\n", "")})

# What hostile or broken files raise from the parsers.
_BROKEN = (PyPdfError, zipfile.BadZipFile, zipfile.LargeZipFile,
           DefusedXmlException, ParseError, zlib.error, ValueError, KeyError,
           IndexError, TypeError, EOFError, OSError, RuntimeError)


class Refused(ValueError):
    """The file looks built to exhaust memory or time (a zip bomb)."""


def content_kind(content_type, filename=""):
    """The media type that decides how to read a file: *content_type*
    without parameters, or, when missing or generic, the extension's."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("", "application/octet-stream"):
        kind = EXTENSIONS.get(os.path.splitext(filename or "")[1].lower(), "")
    return kind


def extract_text(data_or_file, content_type, filename="", max_chars=MAX_CHARS,
                 max_pages=MAX_PAGES, max_member_size=MAX_MEMBER_SIZE):
    """The plain text of a PDF, DOCX, ODT, text or HTML file given as bytes
    or a binary file object; "" for other types and for files that cannot
    be read (logged as a warning). Never raises for a bad file."""
    kind = content_kind(content_type, filename)
    if kind not in (PDF, DOCX, ODT, TEXT, HTML):
        return ""
    stream = data_or_file
    if isinstance(data_or_file, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(data_or_file)
    if kind in (TEXT, HTML):
        text = _decode(stream.read(max_chars * 4 + 1), content_type)
        return (searchable_html_text(text) if kind == HTML else text)[:max_chars]
    member, body, text_tags, marks = _DOCX if kind == DOCX else _ODT
    try:
        if kind == PDF:
            return _pdf_text(stream, max_chars, max_pages)
        root = _zip_xml(stream, member, max_member_size)
    except _BROKEN as error:
        _warn(filename, content_type, error)
        return ""
    except Exception as error:  # hostile input reaches any corner of a parser
        _warn(filename, content_type, error)
        return ""
    body = root.find(body)
    if body is None:
        return ""
    return _xml_text(body, text_tags, marks, max_chars)


def _warn(filename, content_type, error):
    log.warning("cupola.catalog: cannot extract text from %s (%s): %s",
                filename, content_type, error)


def _decode(data, content_type):
    charset = "utf-8"
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    try:
        charset = codecs.lookup(charset).name
    except LookupError:
        charset = "utf-8"
    if charset == "utf-8":
        charset = "utf-8-sig"
    try:
        # Not final: a character cut by the read limit is left out.
        return codecs.getincrementaldecoder(charset)().decode(data)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(stream, max_chars, max_pages):
    reader = pypdf.PdfReader(stream, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Refused("the PDF is encrypted with a password")
    parts, size = [], 0
    for page in itertools.islice(reader.pages, max_pages):
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text) + 1
        if size >= max_chars:
            break
    return "\n".join(parts).strip()[:max_chars]


def _zip_xml(stream, member, max_size):
    with zipfile.ZipFile(stream) as archive:
        info = archive.getinfo(member)  # KeyError: not a DOCX or ODT
        if info.file_size > max_size:
            raise Refused(f"{member} unpacks to {info.file_size} bytes, "
                          f"above the limit of {max_size}")
        if info.file_size > 1024 * 1024 and (
                info.file_size > info.compress_size * MAX_RATIO):
            raise Refused(f"{member} is compressed {info.file_size} to "
                          f"{info.compress_size} bytes: a zip bomb")
        with archive.open(info) as f:
            # zipfile stops at the declared size; read one more to be sure.
            data = f.read(max_size + 1)
    if len(data) > max_size:
        raise Refused(f"{member} unpacks to more than {max_size} bytes")
    return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)


def _xml_text(root, text_tags, marks, max_chars):
    """Text under *root* in document order, without recursion (a hostile
    file may nest deeper than the stack)."""
    parts, size = [], 0
    stack = [root]  # elements to visit and strings to emit, last first
    while stack and size < max_chars:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            size += len(item)
            continue
        before, after = marks.get(item.tag, ("", ""))
        if text_tags is None and item.tail and item is not root:
            stack.append(item.tail)
        if after:
            stack.append(after)
        stack.extend(reversed(item))
        text = item.text if text_tags is None or item.tag in text_tags else None
        for piece in (before, text):
            if piece:
                parts.append(piece)
                size += len(piece)
    return "".join(parts).strip()[:max_chars]
