"""Markdown and reStructuredText to sanitised HTML, and the cache."""

import pytest

from cupola_wiki import rendering
from cupola_wiki.content import WikiPage
from cupola_wiki.links import Link
from cupola_wiki.rendering import (links_of, parts_of, plain_text, render_source,
                                   rst_html)


def html_of(source, format="markdown"):
    return "".join(p if isinstance(p, str) else f"<LINK {p.name}>"
                   for p in render_source(source, format))


def test_markdown_tables_fenced_code_and_toc():
    html = html_of("[TOC]\n\n# Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                   "```\nFrontPage\n```\n")
    assert '<h2 id="h-intro">Intro</h2>' in html  # "#" is h2: the page has the h1
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>FrontPage\n</code></pre>" in html  # no link in code
    assert 'href="#h-intro"' in html  # the table of contents


def test_markdown_heading_ids_do_not_take_the_page_s_ids():
    assert '<h2 id="h-main">Main</h2>' in html_of("# Main")


def test_markdown_raw_html_is_sanitised():
    html = html_of('Hi <script>alert(1)</script><img src=x onerror="alert(2)">'
                   '<a href="javascript:alert(3)">x</a>')
    assert "<script" not in html and "onerror" not in html
    assert "javascript:" not in html


def test_rst_is_rendered():
    html = html_of("Title\n=====\n\nSome *text* and FrontPage.\n\n* one\n* two\n", "rst")
    assert "<h2>Title</h2>" in html and "<em>text</em>" in html
    assert "<LINK front-page>" in html and "<li>" in html


def test_rst_contents_and_references_keep_their_targets():
    html = html_of(".. contents::\n\nFirst part\n==========\n\nSee `First part`_.\n", "rst")
    assert 'id="h-first-part"' in html
    assert 'href="#h-first-part"' in html


@pytest.mark.parametrize("directive", [
    ".. raw:: html\n\n   <script>alert(1)</script>\n",
    ".. include:: /etc/passwd\n",
    ".. csv-table::\n   :file: /etc/passwd\n",
])
def test_rst_cannot_read_files_or_pass_raw_html(directive):
    html = html_of(f"Before.\n\n{directive}", "rst")
    assert "root:" not in html and "<script" not in html
    assert "System Message: WARNING" in html  # the reader is told, inline


def test_rst_errors_show_inline_without_traceback():
    html = html_of(".. nosuchdirective::\n\n   x\n", "rst")
    assert 'Unknown directive type "nosuchdirective"' in html
    assert "Traceback" not in html


def test_rst_halting_error_becomes_one_message(monkeypatch):
    # severe errors halt; make errors halt too to drive that path with real input
    monkeypatch.setitem(rendering.RST_SETTINGS, "halt_level", 3)
    html = rst_html("Intro.\n\n.. nosuchdirective::\n")
    assert html == ('<p class="wiki-error">This page&#x27;s reStructuredText could '
                    'not be read (line 3): Unknown directive type '
                    '&quot;nosuchdirective&quot;.</p>')


def test_empty_source_renders_nothing():
    assert render_source("  \n", "markdown") == ()


def page(body="See FrontPage.", format="markdown"):
    p = WikiPage("A page", body=body, format=format)
    return p


def test_parts_are_cached_and_reused():
    p = page()
    first = parts_of(p, store=True)
    assert parts_of(p) is first
    assert p._rendered[1] == first


def test_the_stored_cache_holds_no_class_of_the_add_on():
    p = page()
    parts_of(p, store=True)
    assert {type(x) for x in p._rendered[1]} == {str, tuple}
    del p._v_rendered  # as after the object was reloaded
    assert parts_of(p)[1] == Link("front-page", "FrontPage", "FrontPage")
    assert isinstance(parts_of(p)[1], Link)


def test_a_changed_body_is_rendered_again():
    p = page()
    parts_of(p, store=True)
    p.body = "Now OtherPage."
    assert Link("other-page", "OtherPage", "OtherPage") in parts_of(p)
    assert Link("front-page", "FrontPage", "FrontPage") in p._rendered[1]  # not stored on view


def test_a_changed_format_is_rendered_again():
    p = page("A ``literal``")
    assert "<code>literal</code>" in "".join(x for x in parts_of(p) if isinstance(x, str))
    p.format = "rst"
    assert '<span class="docutils literal">literal</span>' in "".join(
        x for x in parts_of(p) if isinstance(x, str))


def test_links_and_plain_text():
    p = page("# Head\n\nSee [[Other page|there]] and FrontPage.")
    assert links_of(p) == ["front-page", "other-page"]
    assert plain_text(p) == "Head See there and FrontPage."


def test_searchable_text_has_title_summary_and_words():
    p = WikiPage("Title here", "Summary", body="**Bold** words")
    assert p.searchable_text() == "Title here\nSummary\nBold words"
