"""``@@settings``: the site's title, language, time zone, mail and recycle bin.

Stored in ``site.settings`` (an OOBTree) under these keys, read by the rest
of Cupola and by add-ons::

    language        "en", "de", ... (also the catalog's text language)
    stemming        True when search finds "running" for "run"
    timezone        an IANA name ("Europe/Berlin"); times in the admin use it
    smtp_host       "" when the site sends no mail
    smtp_port       int
    smtp_user       ""
    smtp_password   "" (never shown back in a form)
    smtp_tls        True for STARTTLS
    mail_from       the sender address of the site's mail
    trash_days      days the recycle bin keeps what was deleted (1-3650)

The title and description go through ``operations.edit`` so that their
events fire. Changing the language or stemming rebuilds the text indexes
in the same request (fine for small sites; ``cupola reindex text`` for
big ones).
"""

import re
import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache

from cupola.admin.forms import AdminView, doom
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.roles import MANAGE_SITE

TRASH_DAYS = 30
LANGUAGES = (  # (code, name in the language itself)
    ("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"),
    ("it", "Italiano"), ("nl", "Nederlands"), ("pt", "Português"),
    ("ca", "Català"), ("da", "Dansk"), ("sv", "Svenska"), ("nb", "Norsk bokmål"),
    ("fi", "Suomi"), ("pl", "Polski"), ("cs", "Čeština"), ("hu", "Magyar"),
    ("ro", "Română"), ("el", "Ελληνικά"), ("ru", "Русский"), ("tr", "Türkçe"),
    ("ar", "العربية"), ("zh", "中文"), ("ja", "日本語"), ("ko", "한국어"),
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]+\]$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
FIELDS = ("title", "description", "language", "stemming", "timezone",
          "smtp_host", "smtp_port", "smtp_user", "smtp_tls", "mail_from",
          "trash_days")
WORDS = {  # setting -> how the status message and the audit log name it
    "title": "title", "description": "summary", "language": "language",
    "stemming": "stemming", "timezone": "time zone", "smtp_host": "mail server",
    "smtp_port": "mail port", "smtp_user": "mail user name",
    "smtp_password": "mail password", "smtp_tls": "TLS", "mail_from": "sender address",
    "trash_days": "recycle bin days",
}


def site_timezone(site):
    """The ZoneInfo of the site's time zone (UTC when unset or unknown)."""
    return _zone(site.settings.get("timezone") or "UTC")


def local_when(site, epoch):
    """{iso, text} of *epoch* in the site's time zone: "Today 15:42",
    "Yesterday 09:10", "3 Mar 2025 15:42"."""
    if not epoch:
        return {"iso": "", "text": "never"}
    zone = site_timezone(site)
    moment = datetime.fromtimestamp(epoch, zone)
    today = datetime.now(zone).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        text = f"Today {clock}"
    elif moment.date() == today - timedelta(days=1):
        text = f"Yesterday {clock}"
    else:
        text = f"{moment.day} {moment.strftime('%b %Y')} {clock}"
    return {"iso": moment.isoformat(timespec="seconds"), "text": text}


@lru_cache(maxsize=64)
def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@lru_cache(maxsize=1)
def timezones():
    """Every IANA time zone name, UTC first, then in alphabetical order."""
    names = sorted(n for n in zoneinfo.available_timezones() if n != "UTC")
    return ("UTC", *names)


def stemming_languages():
    from cupola.catalog.text import STEMMER_LANGUAGES
    return STEMMER_LANGUAGES


def current(site):
    """The stored settings as the form shows them."""
    get, catalog = site.settings.get, getattr(site, "catalog", None)
    return {
        "title": site.title, "description": site.description,
        "language": get("language") or getattr(catalog, "language", None) or "",
        "stemming": bool(get("stemming", getattr(catalog, "stemming", False))),
        "timezone": get("timezone") or "UTC",
        "smtp_host": get("smtp_host", ""), "smtp_port": get("smtp_port", 587),
        "smtp_user": get("smtp_user", ""), "smtp_tls": bool(get("smtp_tls", True)),
        "mail_from": get("mail_from", ""),
        "trash_days": get("trash_days", TRASH_DAYS),
    }


class SettingsView(AdminView):
    """``@@settings``: one form in fieldsets; errors beside the fields."""

    template = "settings.pt"

    def get(self):
        return self.show(current(self.site))

    def show(self, values, errors=None):
        language = values.get("language")
        languages = list(LANGUAGES)
        if language and language not in dict(languages):
            languages.append((language, language))
        return self.render({
            "values": values, "errors": errors or {},
            "languages": languages, "timezones": timezones(),
            "stemmers": sorted(stemming_languages()),
            "has_password": bool(self.site.settings.get("smtp_password")),
            "cancel_url": self.url("settings")})

    def read(self):
        """(values, errors) from the form; nothing is stored here."""
        form, errors = self.form, {}
        values = {
            "title": self.text("title", 300), "description": self.text("description", 2000),
            "language": self.text("language", 20), "stemming": bool(form.get("stemming")),
            "timezone": self.text("timezone", 100),
            "smtp_host": self.text("smtp_host", 253), "smtp_port": self.text("smtp_port", 10),
            "smtp_user": self.text("smtp_user", 200), "smtp_tls": bool(form.get("smtp_tls")),
            "mail_from": self.text("mail_from", 254), "trash_days": self.text("trash_days", 10),
        }
        if not values["title"]:
            errors["title"] = "The site needs a title."
        known = dict(LANGUAGES)
        if values["language"] not in known and values["language"] != current(
                self.site)["language"]:
            errors["language"] = "Choose a language from the list."
        elif values["stemming"] and values["language"] not in stemming_languages():
            errors["stemming"] = (f"Cupola has no stemmer for "
                                  f"{known.get(values['language'], 'this language')}; "
                                  "turn stemming off or choose another language.")
        if values["timezone"] not in timezones():
            errors["timezone"] = "Choose a time zone from the list, like Europe/Berlin."
        if values["smtp_host"] and not HOST_RE.match(values["smtp_host"]):
            errors["smtp_host"] = "Enter a host name like mail.example.org, or leave it empty."
        values["smtp_port"] = _number(values["smtp_port"], 1, 65535, errors, "smtp_port",
                                      "Enter 1 to 65535 (587 is usual).",
                                      default=587)
        if CONTROL_RE.search(values["smtp_user"]):
            errors["smtp_user"] = "The user name cannot contain control characters."
        if values["mail_from"] and not EMAIL_RE.match(values["mail_from"]):
            errors["mail_from"] = "Enter an e-mail address like site@example.org."
        elif values["smtp_host"] and not values["mail_from"]:
            errors["mail_from"] = "The site needs a sender address to send mail."
        values["trash_days"] = _number(values["trash_days"], 1, 3650, errors, "trash_days",
                                       "Enter a number of days from 1 to 3650.",
                                       default=TRASH_DAYS)
        password = form.get("smtp_password") or ""
        if len(password) > 500 or CONTROL_RE.search(password):
            errors["smtp_password"] = "That password cannot be used here."
        return values, errors, password

    def post(self):
        from cupola.content.operations import FieldErrors, edit
        site = self.site
        values, errors, password = self.read()
        if errors:
            return self.invalid(values, errors)
        try:
            changed = edit(self.request.registry, site, {
                "title": values["title"], "description": values["description"]})
        except FieldErrors as e:
            return self.invalid(values, dict(e.errors))
        before, stored = current(site), site.settings
        changed += [key for key in FIELDS[2:] if values[key] != before[key]]
        if self.form.get("clear_password") and stored.get("smtp_password"):
            password = None
            changed.append("smtp_password")
        elif password and password != stored.get("smtp_password"):
            changed.append("smtp_password")
        if not changed:
            doom(self.request)
            return self.redirect(self.url("settings"),
                                 "Nothing to save: no setting was changed.", "info")
        for key in FIELDS[2:]:  # all of them: readers need no defaults
            if key != "language" or values[key]:
                stored[key] = values[key]
        if "smtp_password" in changed:
            stored["smtp_password"] = password or ""
        message = "Saved the settings."
        if "language" in changed or "stemming" in changed:
            message += self.relanguage(values["language"], values["stemming"])
        names = [WORDS.get(k, k) for k in changed]
        others = [WORDS.get(k, k) for k in changed if k not in ("title", "description")]
        if others:  # the title and summary are noted by their event
            self.request.conn.transaction_manager.get().note(
                f"Changed the site settings: {', '.join(others)}")
        audit(self.request, "settings.changed", changed=names)
        return self.redirect(self.url("settings"), message)

    def relanguage(self, language, stemming):
        """Give the catalog the new language; rebuild its text indexes now."""
        from cupola.catalog import reindex
        site, registry = self.site, self.request.registry
        catalog = getattr(site, "catalog", None)
        if catalog is None or not catalog.set_language(language or None, stemming):
            return ""
        names = [n for n, d in registry.catalog_indexes.items() if d.kind == "text"]
        count = reindex(site, registry, names=names)
        name = dict(LANGUAGES).get(language, language)
        how = "with stemming" if stemming else "without stemming"
        return (f" Search now uses {name} {how}: the text index was rebuilt "
                f"({count} item{'s' if count != 1 else ''}).")

    def invalid(self, values, errors):
        doom(self.request)
        return self.show(values, errors)


def _number(text, lo, hi, errors, field, message, default):
    if text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        errors[field] = message
        return text
    if not lo <= value <= hi:
        errors[field] = message
    return value


def includeme(config):
    config.add_view(SettingsView, "settings", context=ISite, permission=MANAGE_SITE,
                    attr="get")
    config.add_view(SettingsView, "settings", context=ISite, permission=MANAGE_SITE,
                    attr="post", request_method="POST")
