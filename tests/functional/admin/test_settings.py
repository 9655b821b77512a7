"""@@settings: title, language, time zone, mail, recycle bin; validation."""

import pytest
from webtest import TestApp

from conftest import Site, build_app

from . import file_admin, file_app  # noqa: F401  (the app and admin fixtures)
from . import add_person, browser, is_login_redirect, last_audit, messages_of, post_form

GOOD = {"title": "Our site", "description": "News and notes.", "language": "",
        "timezone": "Europe/Berlin", "smtp_host": "mail.example.org", "smtp_port": "587",
        "smtp_user": "site", "smtp_tls": "1", "mail_from": "site@example.org",
        "trash_days": "14"}


def settings(app):
    with Site(app) as site:
        return dict(site.settings.items()), site.title, site.description


def save(client, **changes):
    fields = {**GOOD, **changes}
    return post_form(client, "/@@settings", {k: v for k, v in fields.items()
                                              if v is not None})


def error(page, field):
    found = page.html.select_one(f"#{field}-error")
    return found.get_text(strip=True) if found else None


class TestSave:
    def test_the_form_shows_the_current_values(self, app, admin):
        page = admin.get("/@@settings")
        assert page.html.select_one("#title")["value"] == "Cupola"
        assert page.html.select_one("#timezone option[selected]")["value"] == "UTC"
        assert page.html.select_one("#trash_days")["value"] == "30"
        assert len(page.html.select("#timezone option")) > 300
        assert page.html.select("fieldset legend")[0].text == "Site"

    def test_saving_stores_everything(self, app, admin):
        response = save(admin)
        assert response.status_int == 303
        assert messages_of(response.follow()) == ["Saved the settings."]
        stored, title, description = settings(app)
        assert (title, description) == ("Our site", "News and notes.")
        assert {k: stored[k] for k in ("timezone", "smtp_host", "smtp_port", "smtp_user",
                                       "smtp_tls", "mail_from", "trash_days")} == {
            "timezone": "Europe/Berlin", "smtp_host": "mail.example.org", "smtp_port": 587,
            "smtp_user": "site", "smtp_tls": True, "mail_from": "site@example.org",
            "trash_days": 14}
        assert stored["secret"]  # untouched
        entry = last_audit(app, "settings.changed")
        assert "time zone" in entry["changed"] and "title" in entry["changed"]

    def test_the_title_change_goes_through_the_content_events(self, app, admin):
        save(admin)
        description = app.db.undoLog(0, 5)
        lines = next(e for e in description if "site" in e["description"])["description"]
        assert lines.split("\n")[0] == "Changed Title, Summary of the site"

    def test_nothing_changed(self, app, admin):
        save(admin)
        before = app.db.lastTransaction()
        response = save(admin)
        assert messages_of(response.follow()) == ["Nothing to save: no setting was changed."]
        assert app.db.lastTransaction() == before

    def test_the_time_zone_is_used_for_times_in_the_admin(self, app, admin):
        from datetime import datetime
        from zoneinfo import ZoneInfo
        save(admin, timezone="Asia/Tokyo")
        shown = admin.get("/@@undo").html.select_one(".undo-row time")["datetime"]
        assert shown.endswith("+09:00")
        assert datetime.fromisoformat(shown).utcoffset() == \
            datetime.now(ZoneInfo("Asia/Tokyo")).utcoffset()


class TestPassword:
    def test_the_password_is_stored_and_never_shown(self, app, admin):
        save(admin, smtp_password="pw-secret-1")
        assert settings(app)[0]["smtp_password"] == "pw-secret-1"
        page = admin.get("/@@settings")
        assert "pw-secret-1" not in page.text
        assert page.html.select_one("#smtp_password")["value"] == ""
        assert "blank keeps it" in page.html.select_one("#smtp_password")["placeholder"]

    def test_blank_keeps_it_and_the_box_forgets_it(self, app, admin):
        save(admin, smtp_password="pw-secret-1")
        save(admin, smtp_password="", trash_days="20")
        assert settings(app)[0]["smtp_password"] == "pw-secret-1"
        save(admin, clear_password="1")
        assert settings(app)[0]["smtp_password"] == ""

    def test_the_password_is_not_in_the_audit_log(self, app, admin):
        save(admin, smtp_password="pw-secret-1")
        assert "pw-secret-1" not in repr(last_audit(app, "settings.changed"))


class TestErrors:
    @pytest.mark.parametrize("field, value, message", [
        ("title", "", "The site needs a title."),
        ("timezone", "Mars/Olympus", "Choose a time zone from the list"),
        ("language", "xx", "Choose a language from the list."),
        ("smtp_host", "not a host!", "Enter a host name like mail.example.org"),
        ("smtp_port", "70000", "Enter 1 to 65535"),
        ("smtp_port", "abc", "Enter 1 to 65535"),
        ("mail_from", "nobody", "Enter an e-mail address like site@example.org."),
        ("trash_days", "0", "Enter a number of days from 1 to 3650."),
        ("trash_days", "3651", "Enter a number of days from 1 to 3650."),
    ])
    def test_errors_beside_the_fields_values_kept_nothing_stored(
            self, app, admin, field, value, message):
        before = app.db.lastTransaction()
        page = save(admin, **{field: value, "title": "Changed" if field != "title" else ""})
        assert page.status_int == 200
        assert error(page, field).startswith(message)
        assert page.html.select_one(f"#{field}")["aria-invalid"] == "true"
        kept = page.html.select_one(f"#{field}")
        if kept.name == "input":
            assert kept["value"] == value
        assert page.html.select_one(".error-message").text.startswith("Please correct")
        assert app.db.lastTransaction() == before
        assert settings(app)[1] == "Cupola"

    def test_a_sender_is_needed_to_send_mail(self, app, admin):
        page = save(admin, mail_from="")
        assert error(page, "mail_from") == "The site needs a sender address to send mail."
        assert save(admin, mail_from="", smtp_host="").status_int == 303

    def test_stemming_needs_a_language_with_a_stemmer(self, app, admin):
        page = save(admin, language="ja", stemming="1")
        assert "no stemmer for 日本語" in page.html.select_one(".check-field .field-error").text
        assert settings(app)[1] == "Cupola"


class TestLanguage:
    def test_changing_the_language_rebuilds_the_text_index(self, app, admin):
        from cupola.content.document import Document
        with Site(app) as site:
            site["news"].add("race", Document("Race", "", "<p>She was running fast.</p>"))

        def found(word):
            with Site(app) as site:
                return [b.path for b in site.catalog.search(None, unrestricted=True,
                                                            text=word)]
        assert "/news/race" not in found("run")
        response = save(admin, language="en", stemming="1")
        message = messages_of(response.follow())[0]
        assert message.startswith("Saved the settings. Search now uses English with "
                                  "stemming: the text index was rebuilt (")
        assert "/news/race" in found("run")
        with Site(app) as site:
            assert (site.catalog.language, site.catalog.stemming) == ("en", True)
            assert (site.settings["language"], site.settings["stemming"]) == ("en", True)
        save(admin, language="de", stemming=None)
        assert "/news/race" not in found("run")
        assert "/news/race" in found("running")


class TestRefusals:
    def test_only_managers(self, app):
        add_person(app, "ed", roles=("Editor",))
        browser(app, "ed").get("/@@settings", status=403)
        assert is_login_redirect(TestApp(app).get("/@@settings"))

    def test_a_post_without_the_token_changes_nothing(self, app, admin):
        before = app.db.lastTransaction()
        admin.post("/@@settings", {**GOOD, "title": "Hacked"}, status=403)
        assert app.db.lastTransaction() == before


