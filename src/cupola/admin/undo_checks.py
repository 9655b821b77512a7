"""Whether a transaction can be undone now, checked before anyone clicks.

Every record the transaction wrote is still as it left it ("ok"), or a
later change to it merges through ZODB's conflict resolution, tried here
exactly as undo will try it ("merge"), or it does not ("blocked", with the
later changes in the way). Verdicts are remembered per record until its
serial changes, and per transaction until the next commit.
"""

import logging
import threading
from typing import NamedTuple

from ZODB.POSException import ConflictError, POSKeyError

MAX_RECORDS = 2000      # records of one transaction looked at beforehand


def records(storage, tid, limit=MAX_RECORDS):
    """([(oid, data)], complete) written by transaction *tid*."""
    found, complete = [], True
    iterator = storage.iterator(tid, tid)
    try:
        for txn in iterator:
            if txn.tid == tid:
                for record in txn:
                    if len(found) >= limit:
                        complete = False
                        break
                    found.append((record.oid, record.data))
            break
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return found, complete


# -- can it be undone? ---------------------------------------------------------

class _Quiet(logging.Filter):
    """Keep ZODB from logging tracebacks for the merges tried beforehand."""

    local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "on", False)


logging.getLogger("ZODB.ConflictResolution").addFilter(_Quiet())


def _verdict(storage, oid, tid, data, current, serial):
    """Whether undoing *tid* can put *oid* back: "ok", "merge" or "blocked"
    (the same tests as FileStorage's undo, without writing)."""
    if serial == tid or current == data:
        return "ok"
    try:
        before = storage.loadBefore(oid, tid)
    except POSKeyError:
        before = None
    if before is None:
        return "blocked"  # created here and changed later: nothing to merge with
    resolve = getattr(storage, "tryToResolveConflict", None)
    if resolve is None:
        return "merge"  # the storage merges on its side (ZEO); undo will tell
    _Quiet.local.on = True
    try:
        resolve(oid, serial, tid, before[0], current)
        return "merge"
    except ConflictError:
        return "blocked"
    finally:
        _Quiet.local.on = False


class Verdict(NamedTuple):
    """``status``: "ok" (every record as the transaction left it), "merge"
    (later changes that merge), "blocked", or "unknown" (too large to check
    beforehand); ``blocked``: the oids in the way."""

    status: str
    blocked: list


class Check:
    """What undoing one transaction would meet, from the records it wrote;
    remembers each record's verdict until its current serial changes."""

    def __init__(self, tid, found, complete):
        self.tid = tid
        self.complete = complete
        self.oids = [oid for oid, _ in found]
        self._seen = {}  # {oid: (current serial, verdict)}

    def run(self, storage):
        """A Verdict from the records' current states (a fresh object: a
        Check is shared between threads)."""
        verdicts = []
        for oid in self.oids:
            try:
                current, serial = storage.load(oid)
            except POSKeyError:  # its creation was undone: by this one, or later
                verdicts.append((oid, "ok" if _last_tid(storage, oid) == self.tid
                                 else "blocked"))
                continue
            seen = self._seen.get(oid)
            if seen is None or seen[0] != serial:
                if serial == self.tid:
                    verdict = "ok"
                else:
                    data = storage.loadSerial(oid, self.tid)
                    verdict = _verdict(storage, oid, self.tid, data, current, serial)
                seen = self._seen[oid] = (serial, verdict)
            verdicts.append((oid, seen[1]))
        blocked = [oid for oid, v in verdicts if v == "blocked"]
        if blocked:
            return Verdict("blocked", blocked)
        if not self.complete:
            return Verdict("unknown", [])
        return Verdict("merge" if any(v == "merge" for _, v in verdicts) else "ok", [])


def _last_tid(storage, oid):
    try:
        return storage.history(oid, size=1)[0]["tid"]
    except (POSKeyError, KeyError, IndexError):
        return None


_checks = {}  # {(id(db), tid): Check}; each re-checks only records changed since
# {(id(db), tid): (storage's last tid, Verdict, status, reason)}: a row shown
# again before anything new was committed is not checked again
_explained = {}
_checks_lock = threading.Lock()


def check(db, tid):
    """The Verdict on undoing transaction *tid* now."""
    key = (id(db), tid)
    with _checks_lock:
        found = _checks.get(key)
    if found is None:
        found = Check(tid, *records(db.storage, tid))
        with _checks_lock:
            if len(_checks) > 2000:
                _checks.clear()
            _checks[key] = found
    return found.run(db.storage)


def later_changes(storage, oids, tid, limit=3):
    """Newest first: the transactions after *tid* that wrote any of *oids*."""
    found = {}
    for oid in oids[:5]:
        try:
            history = storage.history(oid, size=10)
        except (POSKeyError, KeyError):
            continue
        for entry in history:
            if entry.get("tid", b"") > tid:
                found[entry["tid"]] = entry
    return [found[t] for t in sorted(found, reverse=True)][:limit]
