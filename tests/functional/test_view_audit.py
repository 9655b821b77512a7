"""Every registered view names a registered permission, refuses forged POSTs,
and answers Anonymous and Members as its permission says."""

import pytest

from conftest import ADMIN_PASSWORD, build_app, publish, sign_in
from cupola.security.roles import PUBLIC, SIGNED_IN, VIEW

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def world():
    """An app with one published object of every type and a Member."""
    import io
    from PIL import Image as PILImage
    from cupola.content.document import Document, Link
    from cupola.content.file import File, Image
    from cupola.content.folder import Folder
    from cupola.security.users import add_user
    from conftest import Site
    app = build_app()
    buf = io.BytesIO()
    PILImage.new("RGB", (2, 2)).save(buf, "PNG")
    with Site(app) as site:
        folder = publish(site.add("f", Folder("F")))
        publish(folder.add("doc", Document("D", "", "<p>x</p>")))
        folder.add("file", File("File", "", b"data", "a.txt"))
        folder.add("img", Image("Img", "", buf.getvalue(), "a.png"))
        publish(folder.add("link", Link("L", "", "https://example.org/")))
        add_user(site, "member", "member-password-1", roles=("Member",))
    yield app
    app.db.close()


def paths_for(app, spec):
    """Paths of the objects in the world that provide *spec*."""
    from conftest import Site
    found = []
    with Site(app) as site:
        candidates = {"": site, "f": site["f"], "f/doc": site["f"]["doc"],
                      "f/file": site["f"]["file"], "f/img": site["f"]["img"],
                      "f/link": site["f"]["link"]}
        for path, obj in candidates.items():
            if spec.providedBy(obj):
                found.append("/" + path)
    return found


def all_views(app):
    from cupola.interfaces import IDefaultLayer
    for ctx, layer, info in app.registry.views:
        if not IDefaultLayer.isOrExtends(layer):
            continue  # views of other request layers (add-ons not active)
        yield ctx, info


def url(path, name):
    base = path.rstrip("/")
    return f"{base}/++resource++cupola/cupola.css" if name == "++resource++" \
        else f"{base}/@@{name}"


def test_every_view_names_a_registered_permission(world):
    for ctx, layer, info in world.registry.views:
        for method, entry in info.methods.items():
            assert entry.permission in world.registry.permissions, \
                f"{info.name} ({method}) at {entry.origin}: unknown permission {entry.permission!r}"


def test_every_unsafe_view_refuses_a_request_without_token(world):
    from webtest import TestApp
    browser = TestApp(world)
    sign_in(browser, "admin", ADMIN_PASSWORD)
    checked = 0
    for ctx, info in all_views(world):
        for method, entry in info.methods.items():
            if method not in UNSAFE or not entry.csrf:
                continue
            for path in paths_for(world, ctx):
                before = world.db.lastTransaction()
                response = browser.request(url(path, info.name), method=method,
                                           body=b"a=1", expect_errors=True,
                                           content_type="application/x-www-form-urlencoded")
                assert response.status_int == 403, (method, path, info.name)
                assert world.db.lastTransaction() == before
                checked += 1
    assert checked >= 2  # login and logout at least


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_view_of_every_type_answers_by_its_permission(world, who):
    from webtest import TestApp
    browser = TestApp(world)
    if who == "member":
        sign_in(browser, "member", "member-password-1")
    checked = 0
    for ctx, info in all_views(world):
        entry = info.methods.get("GET")
        if entry is None:
            continue
        open_to_all = entry.permission in (PUBLIC, VIEW) or (
            who == "member" and entry.permission == SIGNED_IN)
        for path in paths_for(world, ctx):
            response = browser.get(url(path, info.name), expect_errors=True)
            status = response.status_int
            if open_to_all:
                assert status not in (401, 403) and not (
                    status == 303 and "@@login" in response.location), (path, info.name, status)
                assert status < 500, (path, info.name, status)
            elif who == "anonymous":
                assert status == 303 and "@@login" in response.location, (path, info.name, status)
            else:
                assert status == 403, (path, info.name, status)
            checked += 1
    assert checked > 10


def test_private_content_is_hidden_from_anonymous_and_members(world):
    from webtest import TestApp
    from conftest import Site
    from cupola.content.document import Document
    with Site(world) as site:
        site["f"].add("secret", Document("Secret", "", "<p>classified</p>"))
    anonymous = TestApp(world)
    assert anonymous.get("/f/secret", status=303).location.endswith(
        "came_from=%2Ff%2Fsecret")
    member = TestApp(world)
    sign_in(member, "member", "member-password-1")
    page = member.get("/f/secret", status=403)
    assert "classified" not in page.text and "Sign in as someone else" in page
