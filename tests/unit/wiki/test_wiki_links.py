"""Finding WikiWords and [[links]] in sanitised HTML."""

from cupola_wiki.links import Link, link_parts, targets


def links(html):
    return [p for p in link_parts(html) if isinstance(p, Link)]


def test_wikiword_is_a_link():
    assert link_parts("<p>See FrontPage now.</p>") == [
        "<p>See ", Link("front-page", "FrontPage", "FrontPage"), " now.</p>"]


def test_bracket_link_with_and_without_label():
    assert links("<p>[[Meeting notes]] and [[Meeting notes|the notes]]</p>") == [
        Link("meeting-notes", "Meeting notes", "Meeting notes"),
        Link("meeting-notes", "the notes", "Meeting notes")]


def test_single_capitalised_words_and_lowercase_are_not_links():
    assert links("<p>Hello World, iPhone, ABC, Abc1 and wiki</p>") == []


def test_no_links_inside_code_pre_or_existing_anchors():
    html = ('<p><code>FrontPage [[x]]</code></p><pre><code>OtherPage</code></pre>'
            '<p><a href="http://example.com/FooBar">FooBar</a> '
            '<kbd>KeyWord</kbd> AfterAll</p>')
    assert links(html) == [Link("after-all", "AfterAll", "AfterAll")]


def test_words_in_paths_and_inside_words_are_not_links():
    assert links("<p>see http://example.com/FooBar and xFooBar or Foo_BarBaz</p>") == []


def test_bang_keeps_a_wikiword_unlinked_and_drops_the_bang():
    assert link_parts("<p>!FrontPage is a WikiWord</p>") == [
        "<p>FrontPage is a ", Link("wiki-word", "WikiWord", "WikiWord"), "</p>"]


def test_escaped_text_is_unescaped_in_targets_and_labels():
    assert links("<p>[[Tom &amp; Jerry|Tom &lt;3 Jerry]]</p>") == [
        Link("tom-jerry", "Tom <3 Jerry", "Tom & Jerry")]


def test_a_link_to_no_possible_name_stays_as_written():
    assert link_parts("<p>[[!!!]]</p>") == ["<p>[[!!!]]</p>"]


def test_attributes_holding_angle_brackets_do_not_confuse_the_split():
    html = '<p title="a > FrontPage">TextHere</p>'
    assert link_parts(html) == ['<p title="a > FrontPage">',
                                Link("text-here", "TextHere", "TextHere"), "</p>"]


def test_text_is_kept_whole_around_links():
    html = "<h2 id=\"x\">Intro</h2><ul><li>[[A b]] x</li></ul>"
    parts = link_parts(html)
    rebuilt = "".join(p if isinstance(p, str) else p.label for p in parts)
    assert rebuilt == "<h2 id=\"x\">Intro</h2><ul><li>A b x</li></ul>"


def test_targets_are_distinct_and_sorted():
    parts = link_parts("<p>ZedPage AlphaPage [[zed page]] AlphaPage</p>")
    assert targets(parts) == ["alpha-page", "zed-page"]
