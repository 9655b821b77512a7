"""``@@database``: what the database holds and what it costs; packing it.

The figures come from ZODB (``db.getSize()``, ``len(storage)``,
``db.cacheDetailSize()``, ``db.getPoolSize()``...) and, for the blob
folder, from a walk of it that stops after ``BLOB_WALK_SECONDS``. Caches
and the connection pool belong to this process: each app process has its
own. Packing (``db.pack(days=N)``) removes the history older than N days
(and with it what undo can reach) and the objects nothing refers to any
more; on ZEO the server packs.
"""

import os
import time
from urllib.parse import urlsplit, urlunsplit

from ZODB.POSException import ReadOnlyError, StorageError
from ZODB.TimeStamp import TimeStamp

from cupola.admin.forms import AdminView, doom
from cupola.admin.settings import local_when
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.roles import MANAGE_SITE

BLOB_WALK_SECONDS = 0.5
MAX_DAYS = 3650


def human_size(n):
    """1536 -> "1.5 KB"; None -> "not known"."""
    if n is None:
        return "not known"
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{int(size):,} bytes"
            return f"{size:,.1f} {unit}"
        size /= 1024


def storage_kind(db):
    """What people call the storage: "FileStorage", "ZEO", "RelStorage"..."""
    storage = db.storage
    inner = getattr(storage, "_BlobStorage__storage", None) or storage
    name = type(inner).__name__
    return {"MappingStorage": "In memory (nothing is kept on disk)",
            "DemoStorage": "Demo storage", "ClientStorage": "ZEO",
            }.get(name, name)


def safe_uri(uri):
    """*uri* without a password ("postgres://ann:***@db/site")."""
    if not uri:
        return ""
    parts = urlsplit(uri)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        netloc = f"{parts.username}:***@{host}"
        parts = parts._replace(netloc=netloc)
    query = "&".join(q for q in parts.query.split("&")
                     if q and not q.lower().startswith(("password", "dsn")))
    return urlunsplit(parts._replace(query=query))


def blob_dir(storage):
    """The folder the storage keeps blobs in, or None."""
    helper = getattr(storage, "fshelper", None)
    for candidate in (getattr(helper, "base_dir", None),
                      getattr(storage, "blob_dir", None)):
        if isinstance(candidate, str) and os.path.isdir(candidate):
            return candidate
    return None


def folder_size(path, seconds=BLOB_WALK_SECONDS):
    """(blob files, bytes, complete): a walk of *path* that stops after *seconds*."""
    deadline = time.monotonic() + seconds
    files = size = 0
    stack = [path]
    while stack:
        if time.monotonic() > deadline:
            return files, size, False
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".blob") and entry.is_file(follow_symlinks=False):
                    files += 1
                    size += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return files, size, True


def _try(call, default=None):
    try:
        return call()
    except (AttributeError, TypeError, NotImplementedError, StorageError):
        return default


def figures(db, settings):
    """What the database page shows, as {name: value}."""
    storage = db.storage
    objects = _try(lambda: len(storage))
    last = db.lastTransaction()
    last_time = TimeStamp(last).timeTime() if last and last != b"\0" * 8 else None
    folder = blob_dir(storage)
    blobs = folder_size(folder) if folder else None
    caches = _try(db.cacheDetailSize, [])
    pool = getattr(db, "pool", None)
    return {
        "kind": storage_kind(db),
        "name": _try(db.getName, ""),
        "uri": safe_uri(os.environ.get("CUPOLA_ZODB_URI") or settings.get("zodb_uri", "")),
        "size": _try(db.getSize),
        "objects": objects,
        "undo": db.supportsUndo(),
        "last_time": last_time,
        "blob_dir": folder,
        "blobs": blobs,
        "connections": len(caches),
        "pool_size": _try(db.getPoolSize),
        "pool_open": len(getattr(pool, "all", ())) if pool is not None else None,
        "pool_idle": len(getattr(pool, "available", ())) if pool is not None else None,
        "cache_target": _try(db.getCacheSize),
        "cache_bytes": _try(db.getCacheSizeBytes),
        "cache_active": _try(db.cacheSize),
        "cache_all": sum(c.get("size", 0) for c in caches),
        "cache_rows": [{"active": c.get("ngsize", 0), "all": c.get("size", 0)}
                       for c in caches],
        "pid": os.getpid(),
    }


class DatabaseView(AdminView):
    """``@@database``: figures and the pack form."""

    template = "database.pt"

    @property
    def db(self):
        return self.request.conn.db()

    def get(self):
        return self.show({"days": "7", "confirm": False}, {})

    def show(self, values, errors):
        data = figures(self.db, self.request.registry.settings)
        when = local_when(self.site, data["last_time"])
        return self.render({"data": data, "last": when, "values": values,
                            "errors": errors, "human_size": human_size,
                            "can_pack": callable(getattr(self.db.storage, "pack", None))})

    def post(self):
        text = self.text("days", 10)
        confirm = bool(self.form.get("confirm"))
        values, errors = {"days": text, "confirm": confirm}, {}
        try:
            days = int(text)
        except ValueError:
            days = None
        if days is None or not 0 <= days <= MAX_DAYS:
            errors["days"] = f"Enter a number of days from 0 to {MAX_DAYS}."
        elif days == 0 and not confirm:
            errors["confirm"] = ("Packing with 0 days removes all undo history: "
                                 "tick the box to confirm.")
        if errors:
            doom(self.request)
            return self.show(values, errors)
        db = self.db
        before = _try(db.getSize)
        started = time.monotonic()
        try:
            db.pack(days=days)
        except (AttributeError, NotImplementedError, ReadOnlyError) as e:
            return self.refused(values, "This storage cannot be packed from here "
                                f"({type(e).__name__}).")
        except StorageError as e:
            return self.refused(values, f"The storage refused to pack: {e}")
        took = time.monotonic() - started
        after = _try(db.getSize)
        kept = "all history" if days == 0 else (
            f"history older than {days} day{'s' if days != 1 else ''}")
        self.request.conn.transaction_manager.get().note(
            f"Packed the database: removed {kept}")
        audit(self.request, "database.packed", days=days, size_before=before,
              size_after=after)
        message = (f"Packed the database: removed {kept}. Size {human_size(before)} "
                   f"→ {human_size(after)} ({took:.1f} s).")
        return self.redirect(self.url("database"), message)

    def refused(self, values, message):
        doom(self.request)
        return self.show(values, {"pack": message})


def includeme(config):
    config.add_view(DatabaseView, "database", context=ISite, permission=MANAGE_SITE,
                    attr="get")
    config.add_view(DatabaseView, "database", context=ISite, permission=MANAGE_SITE,
                    attr="post", request_method="POST")
