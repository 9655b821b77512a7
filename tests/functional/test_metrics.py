"""``/@@metrics``: off unless the filter is configured; counts what happened."""

import pytest
import transaction
from prometheus_client.parser import text_string_to_metric_families
from webtest import TestApp

from conftest import build_app, publish
from cupola.wsgi_middleware.metrics import (MetricsConfigError, make_metrics_filter)


def samples(text):
    """{(name, frozenset(labels)): value} of an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def metered():
    application = build_app()
    client = TestApp(make_metrics_filter(application, {}),
                     extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    yield client
    application.db.close()


def scrape(client, **kw):
    return samples(client.get("/@@metrics", **kw).text)


def test_off_unless_the_filter_is_configured(testapp):
    assert testapp.get("/@@metrics", status=404)


def test_requests_by_method_and_status_class(metered):
    metered.get("/")
    metered.get("/no-such-page", status=404)
    metered.post("/@@login", {"login": "x"}, status=403)  # no CSRF token
    found = scrape(metered)
    assert value(found, "cupola_http_requests_total", method="GET", status="2xx") == 1
    assert value(found, "cupola_http_requests_total", method="GET", status="4xx") == 1
    assert value(found, "cupola_http_requests_total", method="POST", status="4xx") == 1


def test_latency_histogram_counts_every_request(metered):
    for _ in range(3):
        metered.get("/")
    found = scrape(metered)
    assert value(found, "cupola_http_request_duration_seconds_count", method="GET") == 3
    assert value(found, "cupola_http_request_duration_seconds_bucket",
                 method="GET", le="+Inf") == 3
    assert value(found, "cupola_http_request_duration_seconds_sum", method="GET") > 0


def test_unknown_methods_share_one_label(metered):
    metered.request("/", method="BREW", status="*")
    found = scrape(metered)
    assert value(found, "cupola_http_requests_total", method="other", status="4xx") == 1


def test_response_cache_hits_and_misses(metered, site_of):
    metered.get("/welcome")  # anonymous: stored
    metered.get("/welcome")  # and answered from memory
    found = scrape(metered)
    assert value(found, "cupola_response_cache_total", result="hit") >= 1
    assert value(found, "cupola_response_cache_total", result="miss") >= 1


def test_zodb_cache_figures(metered):
    metered.get("/")
    found = scrape(metered)
    assert value(found, "cupola_zodb_connections") >= 1
    assert value(found, "cupola_zodb_cache_objects") >= 1
    assert value(found, "cupola_zodb_cache_target_objects") >= 400


def test_conflict_retries_and_failures_are_counted():
    from cupola.interfaces import ISite
    from ZODB.POSException import ConflictError
    attempts = []

    def probe(context, request):
        """A real write conflict with another connection on the first try."""
        attempts.append(1)
        context.settings["n"] = context.settings.get("n", 0) + 1
        if len(attempts) == 1:
            tm = transaction.TransactionManager()
            other = request.conn.db().open(transaction_manager=tm)
            with tm:
                site = other.root()["cupola.site"]
                site.settings["n"] = site.settings.get("n", 0) + 1
            other.close()
        return "ok"

    def hopeless(context, request):
        raise ConflictError("always")

    def include(config):
        config.add_view(probe, "probe", context=ISite, permission="cupola.View",
                        request_method="POST", csrf=False)
        config.add_view(hopeless, "hopeless", context=ISite, permission="cupola.View",
                        request_method="POST", csrf=False)

    application = build_app(include, retries="2")
    client = TestApp(make_metrics_filter(application, {}),
                     extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    client.post("/@@probe", {"x": "1"})
    client.post("/@@hopeless", {"x": "1"}, status=503)
    found = scrape(client)
    assert len(attempts) == 2
    assert value(found, "cupola_conflict_retries_total") == 1 + 2
    assert value(found, "cupola_conflict_failures_total") == 1
    application.db.close()


def test_other_addresses_are_refused(metered):
    metered.get("/@@metrics", extra_environ={"REMOTE_ADDR": "192.0.2.1"}, status=403)


def test_allow_list_and_token():
    application = build_app()
    client = TestApp(make_metrics_filter(application, {}, allow="10.0.0.0/8",
                                         token="s3cret-token"))
    client.get("/@@metrics", extra_environ={"REMOTE_ADDR": "10.2.3.4"}, status=200)
    client.get("/@@metrics", extra_environ={"REMOTE_ADDR": "127.0.0.1"}, status=403)
    client.get("/@@metrics", extra_environ={"REMOTE_ADDR": "192.0.2.9"},
               headers={"Authorization": "Bearer wrong"}, status=403)
    ok = client.get("/@@metrics", extra_environ={"REMOTE_ADDR": "192.0.2.9"},
                    headers={"Authorization": "Bearer s3cret-token"}, status=200)
    assert ok.headers["Cache-Control"].startswith("no-store")
    assert ok.content_type == "text/plain"
    application.db.close()


def test_bad_allow_setting_fails_at_startup():
    with pytest.raises(MetricsConfigError, match="not-an-address"):
        make_metrics_filter(lambda e, s: [], {}, allow="not-an-address")


def test_missing_directory_fails_at_startup(tmp_path):
    with pytest.raises(MetricsConfigError, match="does not exist"):
        make_metrics_filter(lambda e, s: [], {}, directory=str(tmp_path / "nope"))


def test_metrics_are_not_in_the_response_cache(metered):
    first = scrape(metered)
    second = scrape(metered)
    counted = [value(found, "cupola_http_requests_total", method="GET", status="2xx")
               for found in (first, second)]
    assert counted == [0, 1]  # each scrape is counted once it has been sent
