"""``/@@health`` for load balancers and ``/@@metrics`` for Prometheus.

``@@health`` needs no sign-in and writes nothing: it asks the storage for
the root object (a real round trip to ZEO or PostgreSQL, not the
connection's cache) and answers ``200 {"status": "ok"}`` or ``503`` with
the reason, never cached.

``@@metrics`` exists only when the ``egg:cupola#metrics`` filter is in the
pipeline (404 otherwise), and answers only the addresses and token that
filter allows (403 otherwise).
"""

import json
import logging
import time

from webob import Response
from ZODB.POSException import POSError
from ZODB.utils import z64

from cupola.exceptions import Forbidden, NotFound
from cupola.interfaces import ISite
from cupola.security.roles import PUBLIC
from cupola.wsgi_middleware.metrics import ENVIRON_KEY

log = logging.getLogger("cupola.health")
NO_STORE = "no-store, max-age=0"


def check_database(db):
    """None when the storage answers a load of the root, else the reason."""
    storage = db.storage
    is_connected = getattr(storage, "is_connected", None)
    if is_connected is not None and not is_connected():
        return "the database server is not connected"
    try:
        storage.load(z64)
    except (POSError, OSError) as e:
        log.warning("health check: the storage failed to load the root: %s", e)
        return f"the database did not answer: {type(e).__name__}"
    return None


def health(context, request):
    started = time.perf_counter()
    problem = check_database(request.conn.db())
    body = {"status": "ok" if problem is None else "unavailable",
            "database": "ok" if problem is None else problem,
            "seconds": round(time.perf_counter() - started, 6)}
    response = Response(json.dumps(body).encode(), status=200 if problem is None else 503,
                        content_type="application/json", charset="utf-8")
    response.headers["Cache-Control"] = NO_STORE
    if problem is not None:
        response.headers["Retry-After"] = "5"
    return response


def metrics(context, request):
    source = request.environ.get(ENVIRON_KEY)
    if source is None:
        raise NotFound("Metrics are off: add the metrics filter to the pipeline.")
    if not source.access.permits(request.environ):
        raise Forbidden("Metrics are not shown to this address.")
    body, ctype = source.exposition()
    response = Response(body=body, status=200)
    response.headers["Content-Type"] = ctype
    response.headers["Cache-Control"] = NO_STORE
    return response


def includeme(config):
    config.add_view(health, "health", context=ISite, permission=PUBLIC)
    config.add_view(metrics, "metrics", context=ISite, permission=PUBLIC)
