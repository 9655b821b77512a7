"""Text of uploaded files; hostile and broken files give "" and a warning."""

import io
import random
import time
import zipfile

import pytest

from cupola.catalog.extract import DOCX, ODT, PDF, content_kind, extract_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def make_pdf(*pages):
    """A minimal PDF, one page per text, Helvetica, with a correct xref."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode()]
    font = 3 + 2 * count
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream"
                       % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def make_zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_docx(*paragraphs, prolog=""):
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'{prolog}<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    return make_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})


def make_odt(*paragraphs):
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    xml = (f'<office:document-content xmlns:office="{OFFICE_NS}" '
           f'xmlns:text="{TEXT_NS}"><office:body><office:text>{body}'
           f"</office:text></office:body></office:document-content>")
    return make_zip({"mimetype": "application/vnd.oasis.opendocument.text",
                     "content.xml": xml})


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def assert_refused(caplog, result):
    assert result == ""
    assert "cupola.catalog: cannot extract text from" in caplog.text
    assert caplog.records[-1].name == "cupola.catalog"


class TestFormats:
    def test_pdf(self):
        assert extract_text(make_pdf("Hello PDF world"), PDF, "a.pdf") == "Hello PDF world"

    def test_pdf_pages_become_lines(self):
        assert extract_text(make_pdf("one", "two"), PDF) == "one\ntwo"

    def test_docx_paragraphs_become_lines(self):
        assert extract_text(make_docx("Hello", "Welt"), DOCX) == "Hello\nWelt"

    def test_docx_keeps_only_visible_text(self):
        xml = (f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r>'
               "<w:instrText>PAGE</w:instrText><w:t>A</w:t><w:tab/><w:t>B</w:t>"
               "</w:r></w:p></w:body></w:document>")
        data = make_zip({"word/document.xml": xml})
        assert extract_text(data, DOCX) == "A\tB"

    def test_odt_paragraphs_and_spans(self):
        data = make_odt("Hello <text:span>big</text:span> world", "Zweite Zeile")
        assert extract_text(data, ODT) == "Hello big world\nZweite Zeile"

    def test_plain_text(self):
        assert extract_text("Grüße".encode(), "text/plain; charset=utf-8") == "Grüße"

    def test_plain_text_in_declared_charset(self):
        assert extract_text("Grüße".encode("latin-1"), "text/plain; charset=iso-8859-1") == "Grüße"

    def test_undeclared_latin1_falls_back(self):
        assert extract_text("Grüße".encode("latin-1"), "text/plain") == "Grüße"

    def test_html_is_stripped(self):
        html = b"<p>Hello &amp; <b>bye</b></p><script>x()</script>"
        assert extract_text(html, "text/html") == "Hello & bye"

    def test_other_types_give_nothing(self):
        assert extract_text(b"\x89PNG....", "image/png", "a.png") == ""

    def test_file_object(self):
        assert extract_text(io.BytesIO(make_docx("From a blob")), DOCX) == "From a blob"

    @pytest.mark.parametrize("content_type", ["", None, "application/octet-stream"])
    def test_type_from_extension(self, content_type):
        assert extract_text(make_odt("Named"), content_type, "Report.ODT") == "Named"

    def test_content_kind_drops_parameters(self):
        assert content_kind("Text/HTML; charset=utf-8") == "text/html"


class TestLimits:
    def test_max_chars(self):
        assert extract_text(b"x" * 100, "text/plain", max_chars=10) == "x" * 10

    def test_character_cut_by_the_read_limit_is_not_mojibake(self):
        assert extract_text("é".encode() * 10, "text/plain", max_chars=2) == "éé"

    def test_max_chars_in_docx(self):
        assert extract_text(make_docx("a" * 50, "b" * 50), DOCX, max_chars=60) == (
            "a" * 50 + "\n" + "b" * 9)

    def test_max_pages(self):
        assert extract_text(make_pdf("one", "two", "three"), PDF, max_pages=2) == "one\ntwo"

    def test_zip_bomb_is_refused_quickly(self, caplog):
        bomb = make_zip({"word/document.xml": b"\0" * (60 * 1024 * 1024)})
        assert len(bomb) < 200_000
        started = time.perf_counter()
        result = extract_text(bomb, DOCX, "bomb.docx")
        assert time.perf_counter() - started < 1
        assert_refused(caplog, result)

    def test_absurd_compression_ratio_is_refused(self, caplog):
        data = make_zip({"content.xml": b" " * (5 * 1024 * 1024)})
        assert_refused(caplog, extract_text(data, ODT, "dense.odt"))

    def test_member_above_the_size_limit_is_refused(self, caplog):
        data = make_docx("x" * 2000)
        assert_refused(caplog, extract_text(data, DOCX, max_member_size=1000))


class TestHostileFiles:
    def test_truncated_pdf(self, caplog):
        data = make_pdf("Hello PDF world")
        assert_refused(caplog, extract_text(data[:len(data) // 3], PDF, "cut.pdf"))

    def test_random_bytes_named_pdf(self, caplog):
        data = random.Random(0).randbytes(4000)
        assert_refused(caplog, extract_text(data, "", "noise.pdf"))

    def test_zip_that_is_not_a_docx(self, caplog):
        data = make_zip({"hello.txt": b"hello"})
        assert_refused(caplog, extract_text(data, DOCX, "fake.docx"))

    def test_docx_that_is_not_a_zip(self, caplog):
        assert_refused(caplog, extract_text(b"PK\x03\x04 broken", DOCX, "x.docx"))

    def test_billion_laughs(self, caplog):
        data = make_docx("&lol9;", prolog=BILLION_LAUGHS)
        assert_refused(caplog, extract_text(data, DOCX, "laughs.docx"))

    def test_external_entity(self, caplog):
        prolog = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        data = make_docx("&x;", prolog=prolog)
        assert_refused(caplog, extract_text(data, DOCX, "xxe.docx"))

    def test_malformed_xml(self, caplog):
        data = make_zip({"content.xml": b"<office:document-content><unclosed>"})
        assert_refused(caplog, extract_text(data, ODT, "bad.odt"))

    def test_deep_nesting_does_not_overflow(self):
        depth = 100_000
        xml = (f'<office:document-content xmlns:office="{OFFICE_NS}" '
               f'xmlns:text="{TEXT_NS}"><office:body>'
               + "<text:span>" * depth + "deep" + "</text:span>" * depth
               + "</office:body></office:document-content>")
        data = make_zip({"content.xml": xml}, zipfile.ZIP_STORED)
        assert extract_text(data, ODT) == "deep"
