"""``cupola check``: verify a database the way fsck verifies a file system.

Four passes over what the storage holds, each problem recorded with the
object it concerns and what to do about it:

1. structure (FileStorage only): every transaction and data record of
   Data.fs is well formed (ZODB's ``fstest.check``);
2. a scrub: the current record of every object is loaded and unpickled
   into its class, as a request would; a class that no longer imports
   (an add-on removed) is reported;
3. references: every persistent reference points at an object that exists
   (``ZODB.serialize.get_refs``, as ZODB's ``fsrefs`` reads them);
4. integrity: every BTree and TreeSet met passes its own ``_check()`` and
   ``BTrees.check.check`` (key order and ranges across buckets), and every
   blob's file is present in the blob folder.

Passes 2-4 work on any storage that can list its objects (FileStorage,
ZEO, RelStorage); pass 1 only reads a Data.fs.
"""

import os
import time
from dataclasses import dataclass, field

import transaction
from ZODB.broken import Broken
from ZODB.POSException import POSKeyError
from ZODB.serialize import get_refs
from ZODB.utils import get_pickle_metadata, oid_repr

from cupola.db.blobs import is_blob, iter_records

KINDS = {  # kind: (what it means, what to do)
    "structure": ("Data.fs is damaged",
                  "restore Data.fs from the last good backup (cupola restore), "
                  "or truncate it before the damaged transaction with ZODB's "
                  "fsrecover (keeping a copy)"),
    "load": ("an object cannot be loaded",
             "restore from a backup; until then the pages using it answer errors"),
    "class": ("an object's class no longer imports",
              "reinstall the add-on that defined it, or remove the content "
              "while it is installed"),
    "reference": ("an object refers to one that does not exist (a POSKeyError "
                  "waiting to happen)",
                  "restore from a backup, or remove the referring content"),
    "btree": ("a BTree is inconsistent",
              "rebuild it: `cupola reindex` for the catalog; for a folder, copy "
              "its items into a new folder"),
    "blob": ("a blob file is missing from the blob folder",
             "restore the blob folder that belongs to this database"),
}


@dataclass
class Problem:
    kind: str
    oid: bytes | None
    detail: str

    def __str__(self):
        where = f"object {oid_repr(self.oid)}: " if self.oid is not None else ""
        return f"[{self.kind}] {where}{self.detail}"


@dataclass
class Report:
    name: str = ""
    transactions: int | None = None
    objects: int = 0
    btrees: int = 0
    blobs: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def add(self, kind, oid, detail):
        self.problems.append(Problem(kind, oid, detail))

    def summary(self, limit=20):
        """Lines a person can act on: figures, then problems by kind with the fix."""
        checked = [f"{self.objects} objects loaded", f"{self.btrees} BTrees checked",
                   f"{self.blobs} blob files found"]
        if self.transactions is not None:
            checked.insert(0, f"{self.transactions} transactions read")
        lines = [f"Checked {self.name} in {self.seconds:.1f} s: " + ", ".join(checked) + "."]
        if self.ok:
            lines.append("No problems found.")
            return lines
        lines.append(f"{len(self.problems)} problem(s) found:")
        for kind, (meaning, fix) in KINDS.items():
            found = [p for p in self.problems if p.kind == kind]
            if not found:
                continue
            lines.append(f"  {len(found)} x {meaning}. What to do: {fix}.")
            lines.extend(f"    {p}" for p in found[:limit])
            if len(found) > limit:
                lines.append(f"    ... and {len(found) - limit} more")
        return lines


def check_structure(path, report):
    """Pass 1: fstest over Data.fs; returns the number of transactions."""
    from ZODB.scripts import fstest
    count = [0]
    real = fstest.check_trec

    def counting(*args):
        pos, tid = real(*args)
        if tid is not None:
            count[0] += 1
        return pos, tid

    fstest.check_trec = counting  # fstest has no hook to count transactions
    try:
        fstest.check(path)
    except fstest.FormatError as e:
        report.add("structure", None, f"{path}: {e}")
    except OSError as e:
        report.add("structure", None, f"{path}: cannot read it: {e}")
    finally:
        fstest.check_trec = real
    report.transactions = count[0]


def scrub(db, report, progress=None, minimize_every=1000):
    """Passes 2-4 over every object of *db*'s storage."""
    storage = db.storage
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    total = len(storage)
    step = max(1, min(minimize_every, total // 100))
    seen = set()
    dangling = []  # (from oid, to oid, class of the target) not yet seen
    try:
        for oid, tid, data in iter_records(storage):
            report.objects += 1
            seen.add(oid)
            if data is None:  # deleted by undo of its creation: nothing to load
                continue
            try:
                refs = get_refs(data)
            except Exception as e:
                report.add("load", oid, f"unreadable record: {e!r}")
                continue
            dangling.extend((oid, ref, klass) for ref, klass in refs if ref not in seen)
            if is_blob(data) and not _check_blob(storage, oid, tid, report):
                continue  # reported; loading it would only fail again
            _load(conn, oid, data, report)
            if report.objects % minimize_every == 0:
                conn.cacheMinimize()  # keep memory flat on big databases
            if progress and report.objects % step == 0:
                progress(report.objects, total)
        for source, target, klass in dangling:
            if target not in seen:
                what = ".".join(klass) if isinstance(klass, tuple) else klass
                what = f" ({what})" if what else ""
                report.add("reference", source,
                           f"refers to {oid_repr(target)}{what}, which does not exist")
        if progress and (report.objects % step or report.objects != total):
            progress(report.objects, max(total, report.objects))
    finally:
        tm.abort()
        conn.close()


def _check_blob(storage, oid, tid, report):
    """Whether the blob's file is there (else a problem is recorded)."""
    try:
        path = storage.loadBlob(oid, tid)
    except POSKeyError:
        report.add("blob", oid, "its blob file is missing")
        return False
    if path and not os.path.exists(path):
        report.add("blob", oid, f"its blob file {path} is missing")
        return False
    report.blobs += 1
    return True


def _load(conn, oid, data, report):
    try:
        obj = conn.get(oid)
        obj._p_activate()
    except Exception as e:
        module, name = _class_of(data)
        report.add("load", oid, f"{module}.{name} does not load: {e!r}")
        return
    if isinstance(obj, Broken):
        module, name = _class_of(data)
        report.add("class", oid, f"class {module}.{name} cannot be imported")
        return
    _check_btree(obj, oid, report)


def _check_btree(obj, oid, report):
    from BTrees.check import TYPE_BTREE, check, classify
    try:
        kind, _ = classify(obj)
    except KeyError:
        return
    if kind != TYPE_BTREE:
        return
    report.btrees += 1
    try:
        obj._check()
        check(obj)
    except AssertionError as e:
        report.add("btree", oid, f"{type(obj).__name__}: " + "; ".join(str(e).splitlines()))
    except Exception as e:  # a bucket that does not load
        report.add("btree", oid, f"{type(obj).__name__}: walking it failed: {e!r}")


def _class_of(data):
    try:
        return get_pickle_metadata(data)
    except Exception:
        return ("?", "?")


def check_database(uri, base=None, progress=None):
    """Open *uri* (without the start-time blob check) and check it: a Report."""
    from urllib.parse import urlsplit

    from cupola.db.storage import describe_uri, normalize_uri, open_db
    uri = normalize_uri(uri, base)
    report = Report(name=describe_uri(uri).partition("?")[0])
    started = time.monotonic()
    if uri.startswith("file://"):
        path = urlsplit(uri).path
        if not os.path.exists(path):
            from cupola.exceptions import ConfigurationError
            raise ConfigurationError(f"There is no database at {path}.")
        check_structure(path, report)
        if not report.ok:  # opening a damaged file could change it
            report.seconds = time.monotonic() - started
            return report
    db = open_db(uri, base=base, check_blobs="off")
    try:
        scrub(db, report, progress)
    finally:
        db.close()
    report.seconds = time.monotonic() - started
    return report
