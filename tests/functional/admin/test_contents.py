"""<folder>/@@contents: the table, filter and sort, and every bulk action."""

import io
import json

import pytest

from conftest import Site, csrf_from

from . import add_person, browser, is_login_redirect, member, messages_of, post_form


@pytest.fixture
def box(app):
    """/box: pages a, b, c, the folder sub (3 pages inside) and the file f.txt."""
    from cupola.content.document import Document
    from cupola.content.file import File
    from cupola.content.folder import Folder
    with Site(app) as site:
        box = site.add("box", Folder("Box"))
        box.add("a", Document("Annual report", "", "<p>numbers</p>"))
        box.add("b", Document("Budget", "", "<p>more numbers and words</p>"))
        box.add("c", Document("Calendar", "", ""))
        sub = box.add("sub", Folder("Subfolder"))
        for n in range(3):
            sub.add(f"s{n}", Document(f"Inside {n}", "", ""))
        box.add("f.txt", File("Notes file", "", b"x" * 3000, "f.txt"))
    return "/box"


def children(app, path="/box"):
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return list(obj.keys())


def get_obj(app, path):
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return obj.title, getattr(obj, "workflow_state", None), obj.__name__


def text_of(element):
    return " ".join(element.text.split())


def row_names(page):
    return [tr["data-name"] for tr in page.html.select("tbody tr")]


def act(client, action, items=(), path="/box", page=None, **fields):
    """POST the contents form of *path* with *action* on *items*."""
    return post_form(client, f"{path}/@@contents",
                     {"action": action, "item": list(items), **fields}, page=page)


# -- the table ---------------------------------------------------------------

def test_rows_come_in_the_folders_order_with_type_state_size_position(admin, box):
    page = admin.get("/box/@@contents")
    assert row_names(page) == ["a", "b", "c", "sub", "f.txt"]
    first, folder_row, file_row = (page.html.select("tbody tr")[i] for i in (0, 3, 4))
    assert first.select_one("th a").text == "Annual report"
    assert first.select_one(".item-type").text == "Page"
    assert first.select_one(".badge").text == "Private"
    assert "badge-private" in first.select_one(".badge")["class"]
    assert folder_row.select_one("th a")["href"].endswith("/box/sub/@@contents")
    assert folder_row.select_one("[data-label=Size]").text == "—"
    assert file_row.select_one("[data-label=Size]").text == "2.9 KB"
    assert file_row.select_one(".badge").text == "Published"
    assert [tr.select_one(".pos").text for tr in page.html.select("tbody tr")] == [
        "1", "2", "3", "4", "5"]
    assert page.html.select_one("th.col-position")["aria-sort"] == "ascending"


def test_checkboxes_name_their_items_and_select_all_checks_them(admin, box):
    page = admin.get("/box/@@contents")
    box_a = page.html.select_one("input[name=item][value=a]")
    assert page.html.find(id=box_a["aria-labelledby"]).text == "Annual report"
    assert not box_a.has_attr("checked")
    page = admin.get("/box/@@contents?select=all")
    assert all(i.has_attr("checked") for i in page.html.select("input[name=item]"))


def test_pages_of_fifty_and_b_size_up_to_five_hundred(app, admin):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    with Site(app) as site:
        big = site.add("big", Folder("Big"))
        for n in range(120):
            big.add(f"d{n:03}", Document(f"Doc {n}", "", ""))
    page = admin.get("/big/@@contents")
    assert len(row_names(page)) == 50
    assert "1–50 of 120 items" in page.html.select_one(".admin-header .meta").text
    page = admin.get("/big/@@contents?b_start=100")
    assert row_names(page)[0] == "d100" and len(row_names(page)) == 20
    assert page.html.select_one("tbody .pos").text == "101"
    assert len(row_names(admin.get("/big/@@contents?b_size=9999"))) == 120


@pytest.mark.parametrize("sort_on, reverse, expected", [
    ("title", None, ["a", "b", "c", "f.txt", "sub"]),
    ("title", "1", ["sub", "f.txt", "c", "b", "a"]),
    ("type", None, ["a", "b", "c", "f.txt", "sub"]),  # Document, File, Folder
    ("size", "1", ["f.txt", "b", "a", "c", "sub"]),
])
def test_columns_sort(admin, box, sort_on, reverse, expected):
    params = {"sort_on": sort_on, **({"reverse": reverse} if reverse else {})}
    page = admin.get("/box/@@contents", params)
    names = row_names(page)
    if sort_on == "type":  # ties in any order: compare the runs of a type
        assert set(names[:3]) == {"a", "b", "c"} and names[3:] == ["f.txt", "sub"]
    elif sort_on == "size":
        assert names[:2] == expected[:2] and names[-1] == "sub"
    else:
        assert names == expected
    headers = {th.a.text: th.get("aria-sort") for th in page.html.select("thead th[scope=col]") if th.a}
    assert page.html.select_one("th.col-position").get("aria-sort") is None
    assert "ascending" in headers.values() or "descending" in headers.values()
    assert not page.html.select(".move-menu")  # no reordering while sorted


def test_sort_links_toggle_direction_and_modified_starts_newest(admin, box):
    page = admin.get("/box/@@contents")
    link = page.html.select_one("th.col-modified a")["href"]
    assert "sort_on=modified" in link and "reverse=1" in link
    page = admin.get(link)
    assert page.html.select_one("th.col-modified")["aria-sort"] == "descending"
    again = page.html.select_one("th.col-modified a")["href"]
    assert "reverse=1" not in again


def test_filter_matches_word_prefixes_inside_this_folder_only(admin, box):
    page = admin.get("/box/@@contents", {"q": "budg"})
    assert row_names(page) == ["b"]
    assert "1 item matches “budg”" in page.text
    page = admin.get("/box/@@contents", {"q": "numb"})
    assert row_names(page) == ["a", "b"]  # the folder's order
    page = admin.get("/box/@@contents", {"q": "insi"})  # inside /box/sub only
    assert row_names(page) == []
    assert "Nothing in this folder matches “insi”." in page.text


def test_filter_keeps_the_sort_and_the_sort_keeps_the_filter(admin, box):
    page = admin.get("/box/@@contents", {"q": "numb", "sort_on": "title", "reverse": "1"})
    assert row_names(page) == ["b", "a"]
    form = page.html.select_one("form.search[role=search]")
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert hidden == {"sort_on": "title", "reverse": "1"}
    link = page.html.select_one("th.col-state a")["href"]
    assert "q=numb" in link


def test_transition_buttons_come_from_the_states_on_the_page(admin, box):
    page = admin.get("/box/@@contents")
    buttons = {b["value"]: b.get("data-from") for b in page.html.select(".bulk-actions button")}
    assert buttons["transition:publish"] == "private"
    assert "transition:submit" in buttons and "transition:retract" not in buttons
    assert "paste" not in buttons  # nothing on the clipboard


# -- who may ------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in_and_a_member_is_refused(app, box):
    assert is_login_redirect(browser(app).get("/box/@@contents"))
    member(app).get("/box/@@contents", status=403)


def test_a_contributor_lists_but_may_not_delete_or_reorder_what_is_not_theirs(app, box):
    add_person(app, "cora", roles=("Contributor",))
    cora = browser(app, "cora")
    page = cora.get("/box/@@contents")
    assert row_names(page) == ["a", "b", "c", "sub", "f.txt"]  # Contributors view private
    assert not page.html.select(".move-menu")
    response = act(cora, "delete-confirmed", ["a"], page=page)
    assert "Not deleted (you may not): “Annual report”." in messages_of(response.follow())
    assert "a" in children(app)
    post_form(cora, "/box/@@contents", {"move": "top/c"}, page=page, status=403)
    assert children(app)[0] == "a"


def test_no_csrf_token_changes_nothing(app, admin, box):
    before = app.db.lastTransaction()
    for fields in ({"action": "delete-confirmed", "item": "a"}, {"move": "top/c"},
                   {"action": "reorder", "name": "c", "position": "0"}):
        admin.post("/box/@@contents", fields, status=403)
    assert app.db.lastTransaction() == before
    assert children(app) == ["a", "b", "c", "sub", "f.txt"]


def test_nothing_selected_or_an_unknown_action_says_so(admin, box):
    response = act(admin, "delete")
    assert messages_of(response.follow()) == ["Select one or more items first."]
    response = act(admin, "launch", ["a"])
    assert messages_of(response.follow()) == ["Choose what to do with the selected items."]


# -- delete -------------------------------------------------------------------

def test_delete_asks_first_naming_and_counting_what_goes(app, admin, box):
    page = act(admin, "delete", ["a", "sub"])
    assert page.status_int == 200
    assert page.html.h1.text == "Delete 2 items and the 3 items inside them?"
    assert [li.strong.text for li in page.html.select(".doomed li")] == [
        "Annual report", "Subfolder"]
    assert "with 3 items inside" in text_of(page.html.select(".doomed li")[1])
    assert children(app) == ["a", "b", "c", "sub", "f.txt"]  # nothing gone yet
    form = next(f for f in page.forms.values() if "item" in f.fields)
    response = form.submit("action", value="delete-confirmed")
    assert messages_of(response.follow()) == ["Deleted 2 items and the 3 items inside them."]
    assert children(app) == ["b", "c", "f.txt"]


def test_delete_of_one_page_says_one_item(app, admin, box):
    page = act(admin, "delete", ["c"])
    assert page.html.h1.text == "Delete 1 item?"
    response = act(admin, "delete-confirmed", ["c"], page=page)
    assert messages_of(response.follow()) == ["Deleted 1 item."]


# -- cut, copy, paste --------------------------------------------------------

@pytest.fixture
def shelf(app, box):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    with Site(app) as site:
        shelf = site.add("shelf", Folder("Shelf"))
        shelf.add("a", Document("Another A", "", ""))
    return "/shelf"


def test_copy_then_paste_gives_taken_names_a_free_one(app, admin, shelf):
    response = act(admin, "copy", ["a", "b", "f.txt"])
    assert messages_of(response.follow())[0].startswith("Copied 3 items.")
    page = admin.get("/shelf/@@contents")
    assert page.html.select_one("button[value=paste]")
    assert "3 items copied from “Box”" in text_of(page.html.select_one(".clip-note"))
    response = act(admin, "paste", path="/shelf", page=page)
    shown = messages_of(response.follow())
    assert shown[0] == "Pasted 3 items."
    assert "“a” is now “a-2”" in shown[1]
    assert children(app, "/shelf") == ["a", "a-2", "b", "f.txt"]
    assert children(app) == ["a", "b", "c", "sub", "f.txt"]  # the originals stay
    assert get_obj(app, "/shelf/a-2")[0] == "Annual report"
    act(admin, "paste", path="/shelf")  # a copy may be pasted again
    assert children(app, "/shelf") == ["a", "a-2", "b", "f.txt", "a-3", "b-2", "f-2.txt"]


def test_cut_then_paste_moves_and_empties_the_clipboard(app, admin, shelf):
    act(admin, "cut", ["b", "sub"])
    response = act(admin, "paste", path="/shelf")
    assert messages_of(response.follow()) == ["Pasted 2 items."]
    assert children(app) == ["a", "c", "f.txt"]
    assert children(app, "/shelf") == ["a", "b", "sub"]
    assert children(app, "/shelf/sub") == ["s0", "s1", "s2"]
    page = admin.get("/shelf/@@contents")
    assert not page.html.select_one("button[value=paste]")
    search = admin.get("/shelf/@@contents", {"q": "budget"})
    assert row_names(search) == ["b"]  # the catalog knows the new place


def test_a_folder_is_not_pasted_into_itself(app, admin, box):
    act(admin, "cut", ["sub"])
    response = act(admin, "paste", path="/box/sub")
    assert messages_of(response.follow()) == [
        "Not pasted: “Subfolder”: a folder cannot be moved into itself."]
    assert "sub" in children(app)
    page = admin.get("/box/sub/@@contents")
    assert page.html.select_one("button[value=paste]")  # still on the clipboard


def test_paste_without_a_clipboard_or_with_a_forged_one(app, admin, box):
    response = act(admin, "paste")
    assert messages_of(response.follow()) == [
        "The clipboard is empty: cut or copy items first."]
    admin.set_cookie("cupola_clipboard", "eyJvcCI6ImN1dCJ9.forged.sig")
    response = act(admin, "paste")
    assert "The clipboard is empty" in messages_of(response.follow())[0]


def test_empty_the_clipboard(app, admin, shelf):
    act(admin, "copy", ["a"])
    response = act(admin, "clear-clipboard", path="/shelf")
    assert messages_of(response.follow()) == ["The clipboard is empty now."]
    assert not admin.get("/shelf/@@contents").html.select_one("button[value=paste]")


def test_cut_needs_the_right_to_delete(app, box):
    add_person(app, "cora", roles=("Contributor",))
    cora = browser(app, "cora")
    response = act(cora, "cut", ["a"])
    assert messages_of(response.follow()) == ["You may not move “Annual report”."]


# -- rename -------------------------------------------------------------------

def test_rename_shows_one_row_per_item_then_renames_all(app, admin, box):
    page = act(admin, "rename", ["a", "c"])
    assert page.html.h1.text == "Rename 2 items"
    assert page.html.select_one("#title-0")["value"] == "Annual report"
    assert page.html.select_one("#name-1")["value"] == "c"
    response = post_form(admin, "/box/@@contents", {
        "action": "rename-confirmed", "count": "2",
        "old-0": "a", "title-0": "Annual report 2024", "name-0": "report-2024",
        "old-1": "c", "title-1": "Calendar", "name-1": "calendar"}, page=page)
    assert messages_of(response.follow()) == ["Renamed 2 items."]
    assert children(app) == ["report-2024", "b", "calendar", "sub", "f.txt"]
    assert get_obj(app, "/box/report-2024")[0] == "Annual report 2024"


def test_rename_with_a_bad_row_changes_nothing(app, admin, box):
    page = act(admin, "rename", ["a", "b", "c"])
    before = app.db.lastTransaction()
    response = post_form(admin, "/box/@@contents", {
        "action": "rename-confirmed", "count": "3",
        "old-0": "a", "title-0": "New title", "name-0": "fine",
        "old-1": "b", "title-1": "", "name-1": "_hidden",
        "old-2": "c", "title-2": "C", "name-2": "fine"}, page=page)
    assert response.status_int == 200
    errors = [p.text for p in response.html.select(".field-error")]
    assert errors == ["This field is required.",
                      "A name cannot start with '_' or '.'.",
                      "“fine” is also the new name of another row."]
    assert response.html.select_one("#title-0")["value"] == "New title"
    assert app.db.lastTransaction() == before
    assert children(app) == ["a", "b", "c", "sub", "f.txt"]


def test_rename_to_a_name_in_use_is_refused(app, admin, box):
    page = act(admin, "rename", ["a"])
    response = post_form(admin, "/box/@@contents", {
        "action": "rename-confirmed", "count": "1",
        "old-0": "a", "title-0": "Annual report", "name-0": "b"}, page=page)
    assert "There is already an item called 'b' here." in response.text
    assert children(app)[:2] == ["a", "b"]


# -- workflow -----------------------------------------------------------------

def test_publish_several_and_report_the_skipped(app, admin, box):
    response = act(admin, "transition:publish", ["a", "b", "f.txt"])
    shown = messages_of(response.follow())
    assert shown[0] == "Published 2 items."
    assert shown[1] == ("Skipped 1 item where “Publish” is not possible now: "
                        "“Notes file”.")
    assert get_obj(app, "/box/a")[1] == get_obj(app, "/box/b")[1] == "published"
    page = admin.get("/box/@@contents")
    assert page.html.select_one("tbody tr[data-name=a] .badge").text == "Published"


# -- order --------------------------------------------------------------------

@pytest.mark.parametrize("move, expected", [
    ("top/c", ["c", "a", "b", "sub", "f.txt"]),
    ("up/b", ["b", "a", "c", "sub", "f.txt"]),
    ("down/a", ["b", "a", "c", "sub", "f.txt"]),
    ("bottom/a", ["b", "c", "sub", "f.txt", "a"]),
    ("up/a", ["a", "b", "c", "sub", "f.txt"]),
])
def test_move_buttons(app, admin, box, move, expected):
    response = post_form(admin, "/box/@@contents", {"move": move})
    assert messages_of(response.follow())[0].startswith("Moved “")
    assert children(app) == expected


def test_reorder_by_script_answers_json(app, admin, box):
    page = admin.get("/box/@@contents")
    response = admin.post("/box/@@contents",
                          {"action": "reorder", "name": "f.txt", "position": "1"},
                          headers={"X-CSRF-Token": csrf_from(page),
                                   "X-Requested-With": "fetch"})
    assert response.json == {"ok": True, "position": 1,
                             "message": "Moved “Notes file” to position 2."}
    assert children(app) == ["a", "f.txt", "b", "c", "sub"]
    response = admin.post("/box/@@contents",
                          {"action": "reorder", "name": "gone", "position": "1"},
                          headers={"X-CSRF-Token": csrf_from(page),
                                   "X-Requested-With": "fetch"}, status=409)
    assert response.json["ok"] is False


# -- upload -------------------------------------------------------------------

def png():
    from PIL import Image as PILImage
    buf = io.BytesIO()
    PILImage.new("RGB", (3, 2), "red").save(buf, "PNG")
    return buf.getvalue()


def upload(client, files, path="/box", headers=None):
    page = client.get(f"{path}/@@contents")
    return client.post(f"{path}/@@contents",
                       [("_csrf", csrf_from(page)), ("action", "upload")],
                       upload_files=[("files", name, data) for name, data in files],
                       headers=headers or {})


def test_upload_many_files_makes_files_and_images(app, admin, box):
    response = upload(admin, [("My Photo.PNG", png()), ("minutes.txt", b"hello"),
                              ("fake.png", b"not an image"), ("empty.txt", b"")])
    shown = messages_of(response.follow())
    assert shown == ["Added 3 files.", "Not added: “empty.txt” (the file is empty)."]
    with Site(app) as site:
        box = site["box"]
        photo, text, fake = box["my-photo.png"], box["minutes.txt"], box["fake.png"]
        assert (photo.type_name, photo.width, photo.title) == ("Image", 3, "My Photo.PNG")
        assert (text.type_name, text.size, text.creator) == ("File", 5, "admin")
        assert fake.type_name == "File"  # not readable as an image: kept as a file
    upload(admin, [("minutes.txt", b"again")])
    assert "minutes-2.txt" in children(app)


def test_upload_by_script_gets_the_next_address_as_json(app, admin, box):
    response = upload(admin, [("a.txt", b"x")], headers={"X-Requested-With": "fetch"})
    assert response.status_int == 200
    location = json.loads(response.text)["location"]
    assert location.endswith("/box/@@contents")
    assert messages_of(admin.get(location)) == ["Added 1 file."]


def test_upload_page_shows_the_size_limit(admin, box):
    page = admin.get("/box/@@contents")
    assert "At most 256 MB in all per upload." in text_of(page.html.select_one("#files-hint"))
    assert page.html.select_one("input[type=file]").has_attr("multiple")


def test_upload_of_nothing_asks_for_files(admin, box):
    response = upload(admin, [])
    assert messages_of(response.follow()) == ["Choose one or more files to upload first."]


# -- a big folder stays light -------------------------------------------------

def test_a_thousand_item_folder_page_is_small(app, admin):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    with Site(app) as site:
        big = site.add("big", Folder("Big"))
        for n in range(1000):
            big.add(f"page-number-{n:04}", Document(
                f"A page with a typical title, number {n}", "", "<p>Text.</p>"))
    page = admin.get("/big/@@contents")
    assert len(row_names(page)) == 50
    assert len(page.body) <= 100_000
    assert len(page.html.find_all(True)) <= 2000
    assert "1–50 of 1,000 items" in page.text


def test_big_folder_shortcuts_give_the_same_order(app, admin, monkeypatch):
    """Newest first over recent windows, and the back half of a reversed
    order read from the other end, page the same as a plain sort."""
    from datetime import datetime, timedelta, timezone
    from cupola.admin import contents
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    monkeypatch.setattr(contents, "RECENT_FROM", 3)
    now = datetime.now(timezone.utc)
    ages = [1, 400, 3, 60, 20, 900, 2, 150, 10, 5000, 45, 200]  # days
    with Site(app) as site:
        box = site.add("dated", Folder("Dated"))
        for n, age in enumerate(ages):
            doc = Document(f"Title {chr(65 + n)}", "", "")
            doc.modified = now - timedelta(days=age)
            box.add(f"d{n}", doc)
    newest = [f"d{n}" for n, _ in sorted(enumerate(ages), key=lambda p: p[1])]
    z_to_a = [f"d{n}" for n in reversed(range(len(ages)))]
    for sort_on, expected in (("modified", newest), ("title", z_to_a)):
        pages = []
        for start in range(0, len(ages), 5):
            page = admin.get("/dated/@@contents", {"sort_on": sort_on, "reverse": "1",
                                                   "b_size": "5", "b_start": start})
            pages += row_names(page)
        assert pages == expected, sort_on
