"""Screenshots of the admin UI's main screens for docs/admin.md.

    .venv/bin/python bench/admin_screenshots.py [--out docs/img/admin]

Builds a site on memory:// with some content (a folder of pages, an image,
an edit with a change note, a user and a group, an item in the recycle bin,
a customised template), serves it with waitress on a free loopback port,
signs in as Manager in Debian's headless Chromium and saves PNGs: desktop
(1280 px wide) for every main screen, phone (390 px) for a few. Re-run it
after changing the admin look; the files are overwritten.
"""

import argparse
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
# (file name, path, device, full page?)
SHOTS = [
    ("toolbar.png", "/news/lake-day", DESKTOP, False),
    ("edit.png", "/news/lake-day/@@edit", DESKTOP, False),
    ("contents.png", "/news/@@contents", DESKTOP, False),
    ("history.png", "/news/lake-day/@@history", DESKTOP, False),
    ("history-diff.png", "/news/lake-day/@@history-diff?a=1&b=2", DESKTOP, False),
    ("sharing.png", "/news/@@sharing", DESKTOP, False),
    ("users.png", "/@@users", DESKTOP, False),
    ("undo.png", "/@@undo", DESKTOP, False),
    ("trash.png", "/@@trash", DESKTOP, False),
    ("settings.png", "/@@settings", DESKTOP, False),
    ("skins.png", "/@@skins", DESKTOP, False),
    ("skins-edit.png", "/@@skins-edit?name=site_footer.pt", DESKTOP, False),
    ("reference-picker.png", "/news/@@reference-picker", DESKTOP, False),
    ("reference-dialog.png", "/news/lake-day/@@edit", DESKTOP, False),
    ("phone-contents.png", "/news/@@contents", PHONE, False),
    ("phone-edit.png", "/news/lake-day/@@edit", PHONE, False),
]


def open_picker(page):
    """The reference picker's dialog over the edit form, inside /news."""
    page.locator("details.form-section:has(.references)").evaluate("d => { d.open = true; }")
    page.get_by_role("link", name="Browse the site…").click()
    dialog = page.get_by_role("dialog", name="Choose an item")
    dialog.get_by_role("link", name="News").click()
    dialog.locator(".picker-crumbs", has_text="News").wait_for()


ACTIONS = {"reference-dialog.png": open_picker}  # what to do before the picture


def seed(app):
    from conftest import Site, publish
    from cupola.content import operations as ops
    from cupola.customlayer import save_template
    from cupola.security.users import add_group, add_user
    with Site(app) as site:
        news = site["news"]
        for n, title in enumerate(["Spring fair", "New opening hours", "Board minutes",
                                   "Volunteers wanted", "Summer concert"]):
            publish(ops.create(app.registry, news, "Document",
                               {"title": title, "description": f"Notice number {n + 1}."},
                               creator="admin"))
        day = ops.create(app.registry, news, "Document", {
            "title": "Lake day", "description": "Swimming, a picnic and a boat race.",
            "text": "<p>We meet at the north shore at <strong>ten</strong>.</p>"},
            creator="admin")
        add_user(site, "erin", "erin-has-a-long-password", roles=("Editor",),
                 fullname="Erin Example", email="erin@example.org")
        add_user(site, "sam", "sam-has-a-long-password", roles=("Member",),
                 fullname="Sam Sample")
        add_group(site, "reviewers", "Reviewers", roles=("Reviewer",))
        ops.create(app.registry, news, "Document", {"title": "Draft to delete"})
    with Site(app) as site:
        day = site["news"]["lake-day"]
        ops.edit(app.registry, day, {
            "title": "Lake day", "text": "<p>We meet at the north shore at "
            "<strong>eleven</strong>, with lunch.</p>",
            "related": (site["news"]["spring-fair"].uuid,)},
            actor="admin", comment="New time")
        ops.delete(site["news"]["draft-to-delete"], actor="admin")
        footer = (ROOT / "skins" / "public" / "site_footer.pt").read_text()
        save_template(site, "site_footer.pt", footer.replace("Powered by", "Made with"),
                      origin="public", login="admin")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "admin"))
    args = parser.parse_args(argv)
    import waitress
    from conftest import ADMIN_PASSWORD, build_app
    from playwright.sync_api import sync_playwright
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = build_app()
    seed(app)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            login = browser.new_context(base_url=base)
            page = login.new_page()
            page.goto("/@@login")
            page.fill("#login", "admin")
            page.fill("#password", ADMIN_PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_url(base + "/")
            state = login.storage_state()
            login.close()
            for name, path, device, full in SHOTS:
                context = browser.new_context(base_url=base, storage_state=state, **device)
                page = context.new_page()
                response = page.goto(path)
                if response.status != 200:
                    raise SystemExit(f"{path} answered {response.status}")
                page.wait_for_load_state("networkidle")
                ACTIONS.get(name, lambda page: None)(page)
                page.screenshot(path=str(out / name), full_page=full)
                print(f"{out / name}  ({path})")
                context.close()
            browser.close()
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)
        app.db.close()


if __name__ == "__main__":
    main()
