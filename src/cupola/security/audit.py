"""The audit log: security-relevant events, in the site and in var/log.

``audit(request, action, **details)`` writes a line to the ``cupola.audit``
logger (an operator points it at ``var/log/audit.log``) and keeps the entry
in the site, where a manager reads it at ``/@@audit``. The site keeps the
newest ``KEEP`` entries.
"""

import json
import logging
import time
from datetime import datetime, timezone

from BTrees.Length import Length
from BTrees.LOBTree import LOBTree

log = logging.getLogger("cupola.audit")
KEEP = 20_000


def log_entries(site):
    """The site's audit log ({time key: entry}), made on first use."""
    entries = getattr(site, "audit_log", None)
    if entries is None:
        entries = site.audit_log = LOBTree()
        site.audit_length = Length()
    return entries


def audit(request, action, actor=None, **details):
    """Record *action* (e.g. 'login.failure') by *actor* with *details*."""
    from cupola.security.auth import authenticated_user
    if actor is None:
        user = authenticated_user(request)
        actor = user.login if user is not None else None
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "action": action,
        "actor": actor,
        "address": request.environ.get("REMOTE_ADDR"),
        "path": request.environ.get("PATH_INFO", ""),
        **{k: v for k, v in details.items() if v is not None},
    }
    log.info(json.dumps(entry, default=str, ensure_ascii=False))
    site = getattr(request, "site", None)
    if site is not None:
        entries = log_entries(site)
        key = time.time_ns()
        while key in entries:
            key += 1
        entries[key] = entry
        site.audit_length.change(1)
        if site.audit_length() > KEEP + 100:
            for _ in range(100):
                del entries[entries.minKey()]
            site.audit_length.change(-100)
    return entry


def recent(site, limit=100, action=None, actor=None):
    """Newest first, optionally only one action prefix or actor."""
    entries, found = log_entries(site), []
    key = entries.maxKey() if entries else None
    while key is not None and len(found) < limit:
        entry = entries[key]
        if (not action or entry["action"].startswith(action)) and \
                (not actor or entry.get("actor") == actor):
            found.append(entry)
        try:
            key = entries.maxKey(key - 1)
        except ValueError:
            key = None
    return found
