"""The through-the-web custom layer across processes: two ``cupola serve``
processes on one ZEO server; a template customised, changed and reverted
through one is what the other renders on its next request (its compiled
copy is keyed by the stored record's serial, not by process memory)."""

import pytest

from scaleout import App, ZeoServer, wait_for

pytestmark = pytest.mark.slow

MARK = '<p id="custom-mark">{}</p>'


@pytest.fixture
def apps(tmp_path):
    server = ZeoServer(tmp_path)
    started = []
    try:
        first = App(server.uri("a"), tmp_path, name="a")
        started.append(first)
        second = App(server.uri("b"), tmp_path, name="b")
        started.append(second)
        yield first.sign_in(), second
    finally:
        for app in started:
            app.stop()
        server.stop()


def page_of(app):
    status, _, body = app.get("/welcome")
    assert status == 200, status
    return body.decode()


def file_source(app):
    status, _, body = app.get("/@@skins-edit?name=document_view.pt", signed_in=True)
    assert status == 200, status
    import html
    import re
    return html.unescape(re.search(r'<textarea id="source"[^>]*>(.*?)</textarea>',
                                   body.decode(), re.S).group(1))


def with_mark(source, words):
    return source.replace('<div class="prose"', MARK.format(words) + '<div class="prose"', 1)


def test_the_other_process_renders_each_change_at_once(apps):
    editor, other = apps
    assert "custom-mark" not in page_of(other)  # compiled from the file there
    original = file_source(editor)

    status, _, _ = editor.post_form("/@@skins-edit", {
        "name": "document_view.pt", "source": with_mark(original, "First version")})
    assert status == 303
    wait_for(lambda: "First version" in page_of(other), 10, what="the first version")

    status, _, _ = editor.post_form("/@@skins-edit", {
        "name": "document_view.pt", "source": with_mark(original, "Second version")})
    assert status == 303
    wait_for(lambda: "Second version" in page_of(other), 10, what="the second version")
    assert "First version" not in page_of(other)

    status, _, _ = editor.post_form("/@@skins-revert", {"name": "document_view.pt"})
    assert status == 303
    wait_for(lambda: "custom-mark" not in page_of(other), 10, what="the file template")
