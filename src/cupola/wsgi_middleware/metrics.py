"""Prometheus metrics (``egg:cupola#metrics``), off unless this filter is
in the pipeline.

Counted here, for every request that passes the filter:

- ``cupola_http_requests_total{method, status}``: by method and status
  class (``2xx`` ... ``5xx``);
- ``cupola_http_request_duration_seconds{method}``: a histogram of the
  time until the last byte of the body was handed to the server;
- ``cupola_conflict_retries_total`` and ``cupola_conflict_failures_total``:
  replays after a ZODB ``ConflictError``, and requests that gave up;
- ``cupola_response_cache_total{result}``: the publisher's cache of
  anonymous pages, ``hit`` or ``miss``;
- ``cupola_zodb_cache_objects``, ``cupola_zodb_cache_target_objects``,
  ``cupola_zodb_connections``: the database's connection caches (objects
  loaded, the target size summed over connections, open connections).

``/@@metrics`` (``cupola.views.health``) shows them in the Prometheus
text format to the addresses in ``allow`` or to requests with
``Authorization: Bearer <token>``.

Several worker processes (gunicorn ``-w N``): set ``directory`` to a folder
all workers share, emptied before the server starts. prometheus-client's
multiprocess mode then keeps each process's figures in a file there and
the scrape, whichever worker answers it, adds them up; the ZODB gauges are
summed over the live processes. Without ``directory`` each process counts
alone, which is right for one process (waitress, or gunicorn ``-w 1``).
"""

import hmac
import ipaddress
import os
import threading
import time

from cupola.exceptions import CupolaError
from cupola.wsgi_middleware.body import ClosingBody

ENVIRON_KEY = "cupola.metrics"  # environ: the Metrics object, for the view
CONFLICTS_KEY = "cupola.conflicts"  # environ: replays of this request (publisher)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
                     "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
                     "UNLOCK"})
BUCKETS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 10.0, 30.0)
SAMPLE_EVERY = 1.0  # seconds between two readings of the caches

_multiprocess = {}  # {directory: Metrics}; one set of metric files per process
_UNSEEN = object()


class MetricsConfigError(CupolaError, ValueError):
    """A metrics setting cannot be used (names the setting and the fix)."""


class Metrics:
    """The metric objects and the registry a scrape reads."""

    def __init__(self, directory=None):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        self.directory = directory
        self.registry = CollectorRegistry(auto_describe=True)
        if directory:
            from prometheus_client.multiprocess import MultiProcessCollector
            _enable_multiprocess(directory)
            MultiProcessCollector(self.registry, path=directory)
            owner = None  # values live in the files; the collector reads them
        else:
            owner = self.registry
        self.requests = Counter(
            "cupola_http_requests", "HTTP requests by method and status class.",
            ["method", "status"], registry=owner)
        self.duration = Histogram(
            "cupola_http_request_duration_seconds",
            "Time from the request to the last byte of the response body.",
            ["method"], buckets=BUCKETS, registry=owner)
        self.conflict_retries = Counter(
            "cupola_conflict_retries",
            "Requests replayed after a ZODB ConflictError.", registry=owner)
        self.conflict_failures = Counter(
            "cupola_conflict_failures",
            "Requests that still conflicted after every retry (answered 503).",
            registry=owner)
        self.cache = Counter(
            "cupola_response_cache", "Lookups in the cache of anonymous pages.",
            ["result"], registry=owner)
        gauge = {"multiprocess_mode": "livesum"}
        self.zodb_objects = Gauge(
            "cupola_zodb_cache_objects",
            "Objects loaded (not ghosts) in the ZODB connection caches.",
            registry=owner, **gauge)
        self.zodb_target = Gauge(
            "cupola_zodb_cache_target_objects",
            "Target size of the ZODB connection caches, summed over connections.",
            registry=owner, **gauge)
        self.zodb_connections = Gauge(
            "cupola_zodb_connections", "Open ZODB connections.", registry=owner, **gauge)
        self._children = {}  # {(method, status class): (counter, histogram)}
        self._lock = threading.Lock()
        self._seen_cache = (0, 0)  # the response cache's (hits, misses) last read
        self._sampled = 0.0

    def observe(self, method, status, seconds, conflicts=0, retries=None):
        method = method if method in METHODS else "other"
        key = (method, status[:1])
        children = self._children.get(key)
        if children is None:  # labels() costs more than the increment
            children = self._children[key] = (
                self.requests.labels(method, f"{status[:1]}xx"),
                self.duration.labels(method))
        children[0].inc()
        children[1].observe(seconds)
        if conflicts:
            if retries is not None and conflicts > retries:
                self.conflict_retries.inc(retries)
                self.conflict_failures.inc()
            else:
                self.conflict_retries.inc(conflicts)

    def sample(self, application, force=False):
        """Read the response cache and ZODB figures (at most once a second)."""
        now = time.monotonic()
        if not force and now - self._sampled < SAMPLE_EVERY:
            return
        with self._lock:
            self._sampled = now
            cache = getattr(application, "response_cache", None)
            if cache is not None:
                hits, misses = cache.hits, cache.misses
                old_hits, old_misses = self._seen_cache
                # the cache's own counters only grow: count what is new since
                # the last reading (all of it if the cache was made anew)
                self.cache.labels("hit").inc(hits - old_hits if hits >= old_hits else hits)
                self.cache.labels("miss").inc(
                    misses - old_misses if misses >= old_misses else misses)
                self._seen_cache = (hits, misses)
            db = getattr(application, "db", None)
            if db is not None:
                details = db.cacheDetailSize()
                self.zodb_objects.set(sum(d["ngsize"] for d in details))
                self.zodb_target.set(db.getCacheSize() * len(details))
                self.zodb_connections.set(len(details))

    def exposition(self):
        """(body bytes, content type) of the Prometheus text format."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _enable_multiprocess(directory):
    """Make prometheus-client write values to files in *directory*.

    prometheus-client chooses how to store values from
    ``PROMETHEUS_MULTIPROC_DIR`` when it is first imported; the setting is
    read later, so it sets the variable and the storage class together.
    """
    from prometheus_client import values
    if not os.path.isdir(directory):
        raise MetricsConfigError(
            f"metrics directory {directory!r} does not exist: create it (empty) "
            "before the server starts.")
    current = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if current and os.path.abspath(current) != os.path.abspath(directory):
        raise MetricsConfigError(
            f"metrics directory {directory!r} differs from PROMETHEUS_MULTIPROC_DIR "
            f"{current!r}: set one of them.")
    if not getattr(values.ValueClass, "_multiprocess", False):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        values.ValueClass = values.get_value_class()


def get_metrics(directory=None):
    """A new Metrics, or this process's one for a multiprocess *directory*."""
    if not directory:
        return Metrics()
    key = os.path.abspath(directory)
    found = _multiprocess.get(key)
    if found is None:
        found = _multiprocess[key] = Metrics(key)
    return found


class Access:
    """Who may read the metrics: an address list and/or a bearer token."""

    def __init__(self, allow="127.0.0.1 ::1", token=""):
        self.networks = []
        for word in (allow or "").replace(",", " ").split():
            try:
                self.networks.append(ipaddress.ip_network(word, strict=False))
            except ValueError:
                raise MetricsConfigError(
                    f"metrics allow: {word!r} is not an IP address or network.") from None
        self.token = (token or "").strip()

    def permits(self, environ):
        if self.token:
            given = environ.get("HTTP_AUTHORIZATION", "")
            if given.startswith("Bearer ") and hmac.compare_digest(
                    given[7:].strip().encode(), self.token.encode()):
                return True
        try:
            addr = ipaddress.ip_address(environ.get("REMOTE_ADDR", "").split("%", 1)[0])
        except ValueError:
            return False
        if addr.version == 6 and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        return any(addr in net for net in self.networks)


class MetricsMiddleware:
    """Count requests and their latency; hand the Metrics to ``@@metrics``."""

    def __init__(self, app, metrics=None, access=None):
        self.app = app
        self.metrics = metrics or Metrics()
        self.access = access or Access()
        self._application = _UNSEEN

    @property
    def application(self):
        """Cupola's Application under this filter (it has ``db``), or None."""
        if self._application is _UNSEEN:
            found, node = None, self.app
            for _ in range(16):
                if hasattr(node, "db") and hasattr(node, "registry"):
                    found = node
                    break
                node = getattr(node, "app", None) or getattr(node, "application", None)
                if node is None:
                    break
            self._application = found
        return self._application

    def __call__(self, environ, start_response):
        environ[ENVIRON_KEY] = self
        started = time.perf_counter()
        seen = {"status": "500"}

        def capture(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, capture)
        except BaseException:
            self._done(environ, "500", started)
            raise
        return ClosingBody(body, lambda _: self._done(environ, seen["status"], started))

    def _done(self, environ, status, started):
        application = self.application
        self.metrics.observe(environ.get("REQUEST_METHOD", ""), status,
                             time.perf_counter() - started,
                             environ.get(CONFLICTS_KEY, 0),
                             getattr(application, "retries", None))
        if application is not None:
            self.metrics.sample(application)

    def exposition(self):
        application = self.application
        if application is not None:
            self.metrics.sample(application, force=True)
        return self.metrics.exposition()


def gunicorn_hooks(directory):
    """``(on_starting, child_exit)`` for a gunicorn configuration file.

    ``on_starting`` empties *directory* of an earlier run's files;
    ``child_exit`` forgets a dead worker's gauges (its counters stay
    counted). They run in gunicorn's master, which never loads the app.
    """
    import glob

    from prometheus_client import multiprocess

    def on_starting(server):
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)

    def child_exit(server, worker):
        multiprocess.mark_process_dead(worker.pid, path=directory)

    return on_starting, child_exit


def make_metrics_filter(app, global_config=None, **settings):
    """PasteDeploy ``filter_app_factory`` for ``egg:cupola#metrics``."""
    directory = (settings.get("directory") or "").strip() or None
    access = Access(settings.get("allow", "127.0.0.1 ::1"), settings.get("token", ""))
    return MetricsMiddleware(app, metrics=get_metrics(directory), access=access)
