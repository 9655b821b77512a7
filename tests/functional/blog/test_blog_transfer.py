"""A blog through `cupola export` (JSON) and `import` into a fresh site:
the comments come back as they were (authors, texts, dates, ids and order,
moderation state), a pending comment still waits for moderation, and a
site where the blog is not active refuses the import before writing."""

import json

import pytest
from webtest import TestApp

from blog_support import (add_blog, add_post, admin_browser, blog_app, comment,
                          moderate, pending_ids, person)
from conftest import Site, build_app
from cupola.transfer import TransferError, export_tree, load_export, read_export

LIMITS = {"cupola_blog.comment_limit": "50"}


def comments_in(app, path):
    from cupola_blog.comments import comments_of
    with Site(app) as site:
        post = site
        for name in path.strip("/").split("/"):
            post = post[name]
        return [(c.id, c.author, c.login, c.text, c.status, c.created,
                 c.moderated_by) for c in comments_of(post)]


def posts_in(app, path):
    with Site(app) as site:
        return [(name, p.title, p.text, p.author, p.effective, p.subjects, p.lead_image,
                 p.workflow_state) for name, p in site[path.strip("/")].items()]


def teasers(browser, path):
    page = browser.get(path)
    if path.endswith("@@rss"):
        return [(i.find("title").text, i.find("pubDate").text)
                for i in page.xml.iter("item")]
    return [(a.text, a["href"]) for a in page.html.select(".blog-teaser h2 a")]


@pytest.fixture
def source(tmp_path):
    app = blog_app(**LIMITS)
    admin = admin_browser(app)
    blog = add_blog(admin)
    hello = add_post(admin, blog, "Hello", subjects="travel, bridges",
                     description="Bridges I crossed.")
    quiet = add_post(admin, blog, "Quiet", author="A. Guest")
    visitor = TestApp(app)
    for author, text in (("Ann", "First <b>one</b>."), ("Bob", "Second.\n\nTwo paragraphs."),
                         ("Cy", "Third."), ("Dee", "Fourth: https://example.org/x")):
        comment(visitor, hello, author, text)
    comment(person(app, "rita", fullname="Rita Reader"), hello, "Rita Reader", "Signed in.")
    comment(admin, hello, "The editor", "Thanks all.")  # approved at once
    first, second, third, *_ = pending_ids(app, hello)
    moderate(admin, blog, "hello", first, "approve")
    moderate(admin, blog, "hello", second, "reject")
    moderate(admin, blog, "hello", third, "delete")
    yield app, blog, hello, quiet
    app.db.close()


def export(app, path, dest):
    with Site(app) as site:
        return export_tree(app.registry, site[path.strip("/")], dest)


def test_comments_survive_a_round_trip_into_a_fresh_site(source, tmp_path):
    app, blog, hello, quiet = source
    before = comments_in(app, hello)
    assert [c[4] for c in before] == ["approved", "rejected", "pending", "pending",
                                      "approved"]
    assert export(app, blog, tmp_path / "out") == 3
    extra = tmp_path / "out" / "team-blog" / "hello" / "_extra"
    assert sorted(p.name for p in extra.iterdir()) == ["cupola_blog.comments.json"]
    assert not (tmp_path / "out" / "team-blog" / "quiet" / "_extra").exists()
    written = json.loads((extra / "cupola_blog.comments.json").read_text())
    assert written["addon"] == "cupola_blog" and written["files"] == {}
    assert [(c["author"], c["status"]) for c in written["data"]["comments"]] == [
        ("Ann", "approved"), ("Bob", "rejected"), ("Dee", "pending"),
        ("Rita Reader", "pending"), ("The editor", "approved")]

    target = blog_app(**LIMITS)
    try:
        checked = read_export(target.registry, tmp_path / "out")
        with Site(target) as site:
            load_export(target.registry, site, checked)
        assert comments_in(target, hello) == before
        assert comments_in(target, quiet) == []
        assert posts_in(target, blog) == posts_in(app, blog)
        for path, count in ((blog, 2), (f"{blog}/@@tag/travel", 1), (f"{blog}/@@rss", 2)):
            shown = teasers(TestApp(app), path)
            assert len(shown) == count and teasers(TestApp(target), path) == shown, path
        # what people see: the approved two, the pending two in the queue
        page = TestApp(target).get(hello)
        assert [li.select_one(".comment-author").text
                for li in page.html.select("#comments .comment")] == ["Ann", "The editor"]
        admin = admin_browser(target)
        queue = admin.get(f"{blog}/@@moderate-comments")
        assert queue.html.select_one("#moderation-count").text == "2 comments wait"
        # the moderation still works on the imported comments
        dee = pending_ids(target, hello)[0]
        moderate(admin, blog, "hello", dee, "approve")
        assert [li.select_one(".comment-author").text for li in
                TestApp(target).get(hello).html.select("#comments .comment")] == \
            ["Ann", "Dee", "The editor"]
    finally:
        target.db.close()


def test_a_second_round_trip_gives_the_same_files(source, tmp_path):
    app, blog, hello, _ = source
    export(app, blog, tmp_path / "one")
    target = blog_app()
    try:
        with Site(target) as site:
            load_export(target.registry, site, read_export(target.registry, tmp_path / "one"))
        export(target, blog, tmp_path / "two")
    finally:
        target.db.close()
    name = "team-blog/hello/_extra/cupola_blog.comments.json"
    assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_site_where_the_blog_is_not_active_refuses_before_writing(source, tmp_path):
    app, blog, hello, _ = source
    export(app, blog, tmp_path / "out")
    target = build_app()  # the blog is installed, not active in this site
    try:
        checked = read_export(target.registry, tmp_path / "out")
        with pytest.raises(TransferError) as raised:
            with Site(target) as site:
                load_export(target.registry, site, checked)
        message = str(raised.value)
        assert "hello/_extra/cupola_blog.comments.json" in message
        assert "'cupola_blog', which is not active in this site" in message
        with Site(target) as site:
            assert "team-blog" not in site
    finally:
        target.db.close()


@pytest.mark.parametrize("change, message", [
    (lambda c: c[0].update(status="spam"), "comment 1: 'status' must be one of"),
    (lambda c: c[1].update(id=c[0]["id"]), "comment 2: the id"),
    (lambda c: c[2].update(created="yesterday"), "comment 3: 'created' must be"),
    (lambda c: c[0].update(author=""), "comment 1: 'author' must be text"),
    (lambda c: c[0].update(_p_jar="x"), "comment 1: '_p_jar' is not something"),
])
def test_bad_comments_are_refused_when_read(source, tmp_path, change, message):
    app, blog, hello, _ = source
    export(app, blog, tmp_path / "out")
    path = tmp_path / "out" / "team-blog" / "hello" / "_extra" / "cupola_blog.comments.json"
    data = json.loads(path.read_text())
    change(data["data"]["comments"])
    path.write_text(json.dumps(data))
    with pytest.raises(TransferError, match=message) as raised:
        read_export(app.registry, tmp_path / "out")
    assert str(path) in str(raised.value)


def test_the_command_line_import_keeps_the_comments(source, tmp_path, monkeypatch,
                                                   capsys):
    """`cupola import` into FileStorage sites made by `cupola init`."""
    from cupola.cli import main
    app, blog, hello, _ = source
    before = comments_in(app, hello)
    export(app, blog, tmp_path / "out")
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    plain, with_blog = (f"file://{tmp_path}/{name}/Data.fs" for name in ("plain", "blog"))
    for uri in (plain, with_blog):
        assert main(["init", "--zodb-uri", uri]) == 0
    assert main(["addons", "activate", "cupola_blog", "--zodb-uri", with_blog]) == 0
    capsys.readouterr()

    assert main(["import", "--zodb-uri", plain, str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "cupola addons activate cupola_blog" in err and "Traceback" not in err
    assert main(["import", "--zodb-uri", with_blog, str(tmp_path / "out")]) == 0
    assert "Imported 3 objects" in capsys.readouterr().out
    for uri, expected in ((plain, None), (with_blog, before)):
        assert _file_comments(uri, hello) == expected


def _file_comments(uri, path):
    """The comments at *path* in the FileStorage site at *uri* (None: no post)."""
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    from cupola_blog.comments import comments_of
    db = open_db(uri)
    try:
        conn = db.open()
        post = get_site(conn)
        for name in path.strip("/").split("/"):
            post = post.get(name) if post is not None else None
        found = None if post is None else [
            (c.id, c.author, c.login, c.text, c.status, c.created, c.moderated_by)
            for c in comments_of(post)]
        conn.close()
        return found
    finally:
        db.close()
