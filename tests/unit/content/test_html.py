"""Editors' HTML is sanitised."""

import pytest

from cupola.content.html import html_to_text, sanitize_html


@pytest.mark.parametrize("dirty, clean", [
    ("<p>ok</p>", "<p>ok</p>"),
    ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
    ('<img src="x" onerror="alert(1)">', '<img src="x">'),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="https://a.example/">x</a>', '<a href="https://a.example/" rel="noopener noreferrer">x</a>'),
    ("<iframe src=x></iframe>", ""),
    ("<style>p{}</style><p style='color:red'>x</p>", "<p>x</p>"),
    ("", ""),
])
def test_sanitize(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_document_text_is_sanitised_on_set():
    from cupola.content.document import Document
    doc = Document("T", text="<p onclick='x()'>a</p>")
    assert doc.text == "<p>a</p>"


def test_html_to_text():
    assert html_to_text("<p>Hello <b>world</b></p>\n<p>again</p>") == "Hello world again"
