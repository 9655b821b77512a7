"""Whole anonymous responses are reused within one transaction, never across."""

from datetime import datetime, timedelta, timezone

from conftest import build_app, publish, sign_in


def counting_app(**settings):
    """An app whose document view counts how often it really renders."""
    app = build_app(**settings)
    calls = []
    original = app.call_view

    def call_view(request, context, entry):
        calls.append(request.path_info)
        return original(request, context, entry)

    app.call_view = call_view
    return app, calls


def test_second_anonymous_request_is_served_from_the_cache():
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    first = client.get("/welcome")
    second = client.get("/welcome")
    assert calls == ["/welcome"]
    assert first.body == second.body and second.headers["ETag"] == first.headers["ETag"]
    assert "Content-Security-Policy" in second.headers
    assert app.response_cache.hits == 1


def test_cached_entry_answers_304_and_head():
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    etag = client.get("/welcome").headers["ETag"]
    assert client.get("/welcome", headers={"If-None-Match": etag}, status=304).body == b""
    head = client.head("/welcome")
    assert head.body == b"" and head.headers["ETag"] == etag
    assert len(calls) == 1


def test_any_commit_empties_it(site_of):
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    client.get("/welcome")
    with site_of(app) as site:
        site["welcome"].title = "Renamed"
    assert "Renamed" in client.get("/welcome")
    assert len(calls) == 2


def test_signed_in_users_and_tokens_bypass_it():
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    client.get("/welcome")
    sign_in(client)
    page = client.get("/welcome")
    assert "Site administrator" in page
    client.get("/welcome", headers={"Authorization": "Bearer cpl_x_y"})
    assert calls.count("/welcome") == 3


def test_addresses_queries_and_accept_headers_are_kept_apart():
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    client.get("/about")
    client.get("/about?b_start=0")
    client.get("/about", headers={"Accept": "application/json"}, expect_errors=True)
    client.get("/about", extra_environ={"HTTP_HOST": "other.example"})
    assert len(calls) == 4


def test_errors_and_forms_are_not_cached():
    from webtest import TestApp
    app, calls = counting_app()
    client = TestApp(app)
    client.get("/missing", status=404)
    client.get("/missing", status=404)
    client.get("/@@login")
    client.get("/@@login")
    assert len(calls) == 4


def test_content_that_expires_is_not_served_after_its_time(site_of):
    import time
    from webtest import TestApp
    from cupola.content.document import Document
    app, calls = counting_app()
    client = TestApp(app)
    with site_of(app) as site:
        doc = publish(site.add("flash", Document("Flash sale")))
        doc.expires = datetime.now(timezone.utc) + timedelta(seconds=1.5)
    assert "Flash sale" in client.get("/flash")
    assert "Flash sale" in client.get("/flash")
    assert len(calls) == 1
    time.sleep(1.6)
    gone = client.get("/flash", expect_errors=True)
    assert gone.status_int == 303  # refused before any view runs


def test_it_can_be_switched_off():
    from webtest import TestApp
    app, calls = counting_app(response_cache="false")
    client = TestApp(app)
    client.get("/welcome")
    client.get("/welcome")
    assert app.response_cache is None and len(calls) == 2
