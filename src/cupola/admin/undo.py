"""``@@undo``: the database's recent transactions, what each touched, undo.

The rows come from the storage's undo log (``db.undoLog``): when, who (the
login the publisher puts in every transaction) and what, in the words
``cupola.content.notes`` wrote. Before anyone clicks, each row says whether
it can be undone: every record the transaction wrote is still as it left
it, or a later change to it merges (ZODB's conflict resolution, tried here
exactly as undo will try it), or not, and then the later changes in the way
are named. ``?show=<tid>`` lists what one transaction touched and how.

Undoing writes a new transaction that puts the earlier states back, the
catalog's own records included, so search follows. Storages without
history (``memory://``) get a page saying so.
"""

import base64
import binascii
import re
import time

from ZODB.POSException import POSKeyError, UndoError

from cupola.admin.forms import AdminView, field_list
from cupola.admin.database import storage_kind
from cupola.admin.settings import local_when
from cupola.admin.undo_checks import (MAX_RECORDS, _checks_lock, _explained, check,
                                      later_changes)
from cupola.admin.undo_touched import touched
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.roles import MANAGE_SITE

PAGE = 50
CHECK_BUDGET = 0.15     # seconds of checking per page view; the rest on request
SCAN_LIMIT = 5000       # undo log entries searched for the chosen ones
UNDID = "cupola.undid"  # extension of an undo transaction: tids it undid
RECORD = "cupola.undo_record"  # extension of the audit entry that follows one
TID_RE = re.compile(r"^[0-9a-f]{16}$")


# -- reading the log -----------------------------------------------------------

def tid_of(entry):
    """The transaction id (8 bytes) of an undo log entry, or None."""
    raw = entry.get("id")
    if isinstance(raw, str):
        raw = raw.encode("ascii", "replace")
    try:
        tid = base64.decodebytes(raw + b"\n")
    except (binascii.Error, TypeError):
        return None
    return tid if len(tid) == 8 else None


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def login_of(user_name):
    """The login of a transaction's user ("admin"; Zope's "/ admin" too)."""
    return _text(user_name).strip().rsplit(" ", 1)[-1]


# -- the view ------------------------------------------------------------------

class UndoView(AdminView):
    """``@@undo``: 50 transactions a page, newest first; POST undoes the chosen."""

    template = "undo.pt"

    @property
    def db(self):
        return self.request.conn.db()

    def get(self):
        db, request = self.db, self.request
        if not db.supportsUndo():
            return self.render({"supported": False, "storage": storage_kind(db)})
        start = self.start
        show = (request.GET.get("show") or "").strip().lower()
        try:
            entries = db.undoLog(start, start + PAGE + 1)
        except UndoError as e:  # a pack is running
            return self.render({"supported": True, "rows": [], "unavailable": str(e),
                                "prev_url": None, "next_url": None, "start": start})
        rows, deadline = [], time.monotonic() + CHECK_BUDGET
        for entry in entries[:PAGE]:
            if not entry.get(RECORD):
                rows.append(self.row(entry, deadline, show))
        return self.render({
            "supported": True, "rows": rows, "unavailable": None, "start": start,
            "prev_url": self.url("undo", b_start=max(0, start - PAGE)) if start else None,
            "next_url": self.url("undo", b_start=start + PAGE)
            if len(entries) > PAGE else None})

    def row(self, entry, deadline, show):
        db, site = self.db, self.site
        tid = tid_of(entry)
        hexid = tid.hex() if tid else ""
        lines = [line for line in _text(entry.get("description")).split("\n") if line]
        if lines == ["initial database creation"]:  # ZODB's own words
            lines = ["Created the database"]
        login = login_of(entry.get("user_name"))
        lines = lines or ["(no description)"]
        address = lines[0] if _technical(lines[0]) else None
        words = request_words(address) if address else None
        if words:
            lines[0] = words
        row = {"tid": hexid, "lines": lines,
               "technical": address is not None and not words,
               "address": address if words else None,
               "login": login, "who": self.who(login, address is not None),
               "when": self.when(entry.get("time")), "size": entry.get("size"),
               "status": "unknown", "reason": "", "details": None,
               "show_url": self.url("undo", show=hexid, b_start=self.start) + f"#t-{hexid}",
               "hide_url": self.url("undo", b_start=self.start) + f"#t-{hexid}",
               "shown": hexid == show and bool(hexid)}
        if tid is None:
            row["reason"] = "Cupola cannot read this transaction's records."
            return row
        found = None
        last = db.storage.lastTransaction()
        known = _explained.get((id(db), tid))
        if known is not None and known[0] == last:  # nothing was written since
            _, found, row["status"], row["reason"] = known
        elif row["shown"] or time.monotonic() < deadline:
            found = check(db, tid)
            self.explain(row, found, tid)
            with _checks_lock:
                if len(_explained) > 2000:
                    _explained.clear()
                _explained[(id(db), tid)] = (last, found, row["status"], row["reason"])
        else:
            row["status"] = "unchecked"
            row["reason"] = "Not checked yet: open “What it touched” to check it."
        if row["shown"]:
            row["details"] = touched(self.request.conn, db, tid, self.request,
                                     found.blocked)
        made = created_site(db, site, tid)
        if made:
            row["status"], row["reason"] = "never", f"Cannot be undone: it created {made}."
        return row

    @property
    def start(self):
        """Where the page starts (from the query, or the form of a POST)."""
        try:
            return min(max(0, int(self.request.param("b_start", 0) or 0)), 100_000)
        except ValueError:
            return 0

    def explain(self, row, found, tid):
        row["status"] = found.status
        if found.status == "merge":
            row["reason"] = ("Later changes touched some of the same records; "
                             "undo keeps them (they merge).")
        elif found.status == "unknown":
            row["reason"] = (f"It touched more than {MAX_RECORDS:,} records, too many "
                             "to check beforehand; undo will tell.")
        elif found.status == "blocked":
            later = later_changes(self.db.storage, found.blocked, tid)
            undid = [e for e in later if tid.hex() in _text(e.get(UNDID)).split()]
            if undid:
                row["status"] = "undone"
                row["reason"] = f"Already undone ({self.change_words(undid[0])})."
            else:
                row["reason"] = self.blocked_words(later)

    def blocked_words(self, later):
        if not later:
            return ("Cannot be undone: a later change touched the same objects "
                    "and the undo log no longer shows it.")
        items = "; ".join(self.change_words(e, True) for e in later)
        if all(e.get(RECORD) for e in later):  # not listed: they keep the audit log whole
            return (f"Cannot be undone: the audit log was written to since ({items}), "
                    "and it is never undone.")
        if len(later) == 1:
            return (f"Cannot be undone: a later change ({items}) touched the same "
                    "objects. Undo that one first.")
        return (f"Cannot be undone: later changes ({items}) touched the same "
                "objects. Undo those first.")

    def change_words(self, entry, with_what=False):
        """'15:42 by admin, “Changed Title of /news/x”'."""
        login = login_of(entry.get("user_name"))
        text = self.when(entry.get("time"))["text"]
        if login:
            text += f" by {login}"
        if with_what:
            first = _text(entry.get("description")).split("\n", 1)[0]
            first = request_words(first) or first
            if first:
                text += f", “{first}”"
        return text

    def who(self, login, web=False):
        """"Ann Lee (ann)"; "" for a request of nobody signed in (a sign-in)."""
        if not login:
            return "" if web else "Cupola itself or a script"
        user = self.site.users.get(login)
        if user is not None and user.fullname and user.fullname != login:
            return f"{user.fullname} ({login})"
        return login

    def when(self, epoch):
        return local_when(self.site, epoch)

    # -- undoing --

    def post(self):
        db, request = self.db, self.request
        back = self.url("undo", b_start=self.start)
        if not db.supportsUndo():
            return self.redirect(back, "This database keeps no history to undo.",
                                 "error")
        chosen = sorted({t for t in field_list(request, "tid") if TID_RE.match(t)},
                        reverse=True)[:PAGE]
        if not chosen:
            return self.redirect(back, "Choose at least one change to undo.", "error")
        entries = find_entries(db, chosen)
        missing = [t for t in chosen if t not in entries]
        if missing:
            return self.redirect(back, "That change is no longer in the undo log "
                                 "(the database was packed since). Nothing was changed.",
                                 "error")
        refusal = self.refusal(chosen)
        if refusal:
            return self.redirect(back, refusal, "error")
        lines = [_text(entries[t].get("description")).split("\n", 1)[0] or "(no description)"
                 for t in chosen]
        try:
            self.undo([entries[t]["id"] for t in chosen], chosen, lines)
        except UndoError:
            return self.redirect(back, self.refusal(chosen, after_error=True),
                                 "error")
        # the audit entry cannot share the undo's transaction (the storage
        # commits one at a time): it follows, marked so that the list skips it
        audit(request, "database.undo", transactions=chosen, descriptions=lines)
        follow = request.conn.transaction_manager.get()
        follow.note("Recorded the undo in the audit log")
        follow.setExtendedInfo(RECORD, True)
        message = (f"Undid 1 change: {lines[0]}" if len(chosen) == 1
                   else f"Undid {len(chosen)} changes.")
        return self.redirect(back, message)

    def undo(self, ids, hexes, lines):
        """Undo in a transaction of its own, committed now; UndoError when not."""
        from cupola.publisher import describe_transaction
        tm = self.request.conn.transaction_manager
        txn = tm.get()
        for line in lines:
            txn.note(f"Undid: {line}")
        txn.setExtendedInfo(UNDID, " ".join(hexes))
        describe_transaction(self.request, txn)
        self.db.undoMultiple(ids, txn)
        try:
            tm.commit()
        except UndoError:
            tm.abort()
            raise

    def refusal(self, chosen, after_error=False):
        """Why the chosen ones cannot be undone together, or None."""
        db, site = self.db, self.site
        for hexid in chosen:
            tid = bytes.fromhex(hexid)
            made = created_site(db, site, tid)
            if made:
                return f"Cannot be undone: it created {made}. Nothing was changed."
            found = check(db, tid)
            if found.status != "blocked":
                continue
            later = later_changes(db.storage, found.blocked, tid, limit=10)
            if any(hexid in _text(e.get(UNDID)).split() for e in later):
                return "That change was already undone. Nothing was changed."
            others = [e for e in later if e["tid"].hex() not in chosen]
            if after_error or others:
                reason = self.blocked_words(others[:3] or later[:3])
                return f"{reason} Nothing was changed."
        if after_error:
            return ("Cannot be undone: later changes touched the same objects. "
                    "Nothing was changed.")
        return None


REQUEST_RE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD) (/\S*?)(?:/?@@([\w.+-]+))?$")
REQUEST_WORDS = {  # view of a request that noted nothing itself -> words
    "login": "Signed in", "logout": "Signed out",
    "add-user": "Added a user", "edit-user": "Changed a user",
    "delete-user": "Deleted a user", "reset-password": "Set a new password for a user",
    "add-group": "Added a group", "edit-group": "Changed a group",
    "delete-group": "Deleted a group", "account": "Changed their own account",
    "sharing": "Changed who may do what in {where}",
    "workflow": "Changed the state of {where}",
}


def _technical(line):
    """A fallback description ("POST /x/@@edit") rather than words."""
    return REQUEST_RE.match(line) is not None


def request_words(line):
    """Plain words for a request address the publisher noted, or None."""
    match = REQUEST_RE.match(line)
    words = REQUEST_WORDS.get(match.group(3)) if match else None
    return words.format(where=match.group(2) or "/") if words else None


def find_entries(db, hexes):
    """{tid hex: undo log entry} for the transactions *hexes*, searching the
    newest ``SCAN_LIMIT`` entries."""
    wanted, found, start = set(hexes), {}, 0
    oldest = min(hexes)
    while wanted and start < SCAN_LIMIT:
        entries = db.undoLog(start, start + 200)
        if not entries:
            break
        for entry in entries:
            tid = tid_of(entry)
            if tid is not None and tid.hex() in wanted:
                found[tid.hex()] = entry
                wanted.discard(tid.hex())
        last = tid_of(entries[-1])
        if last is not None and last.hex() < oldest:
            break
        start += 200
    return found


_created = {}  # {(id(db), oid): tid of its oldest revision}; changes only by packing


def created_site(db, site, tid):
    """What of the two roots transaction *tid* created: "the site itself",
    "the database", or None."""
    for oid, what in ((site._p_oid, "the site itself"), (b"\0" * 8, "the database")):
        key = (id(db), oid)
        if key not in _created:
            try:
                history = db.storage.history(oid, size=1000)
            except (POSKeyError, KeyError):
                history = []
            _created[key] = history[-1]["tid"] if 0 < len(history) < 1000 else None
        if _created[key] == tid:
            return what
    return None


def includeme(config):
    config.add_view(UndoView, "undo", context=ISite, permission=MANAGE_SITE,
                    attr="get")
    config.add_view(UndoView, "undo", context=ISite, permission=MANAGE_SITE,
                    attr="post", request_method="POST")
