"""The rule that names pages: WikiWords, [[links]] and titles agree."""

import pytest

from cupola_wiki.names import page_name, split_camel


@pytest.mark.parametrize("text, name", [
    ("FrontPage", "front-page"),
    ("Front Page", "front-page"),
    ("front page", "front-page"),
    ("  Front   Page ", "front-page"),
    ("HTTPServer", "http-server"),
    ("Meeting notes 2026", "meeting-notes-2026"),
    ("Über uns", "uber-uns"),
    ("Tom & Jerry", "tom-jerry"),
    ("Item", "item"),
])
def test_page_name(text, name):
    assert page_name(text) == name


@pytest.mark.parametrize("text", ["", "   ", "!!!", "日本語", "view"])
def test_texts_that_name_no_page(text):
    assert page_name(text) is None


def test_a_wikiword_and_its_spelled_out_title_name_the_same_page():
    assert page_name("RecentChanges") == page_name("Recent changes") == "recent-changes"


def test_split_camel_keeps_acronyms_together():
    assert split_camel("MyHTTPServerPage") == "My HTTP Server Page"
