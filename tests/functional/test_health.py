"""``/@@health``: cheap, public, never cached, 503 when the storage fails."""

import json


def test_ok_for_anyone(testapp):
    response = testapp.get("/@@health")
    assert response.content_type == "application/json"
    body = json.loads(response.text)
    assert body["status"] == "ok" and body["database"] == "ok"
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "Set-Cookie" not in response.headers


def test_head_and_no_write(app, testapp):
    before = app.db.lastTransaction()
    testapp.head("/@@health", status=200)
    testapp.get("/@@health", status=200)
    assert app.db.lastTransaction() == before


def test_not_stored_in_the_response_cache(app, testapp):
    testapp.get("/@@health")
    testapp.get("/@@health")
    assert len(app.response_cache) == 0


def test_post_is_refused(testapp):
    testapp.post("/@@health", status=405)


class _Unreachable:
    """A database whose connections cannot be opened (the server is gone)."""

    def __init__(self, db):
        self.db = db

    def open(self, *args, **kw):
        from ZEO.Exceptions import ClientDisconnected
        raise ClientDisconnected("connection refused")

    def __getattr__(self, name):
        return getattr(self.db, name)


def test_json_with_a_reason_when_the_database_cannot_be_opened(app, testapp):
    app.db = _Unreachable(app.db)
    try:
        down = testapp.get("/@@health", status=503)
    finally:
        app.db = app.db.db
    body = json.loads(down.text)
    assert down.content_type == "application/json"
    assert body["status"] == "unavailable" and body["reason"]
    assert down.headers["Cache-Control"].startswith("no-store")


def test_pages_stay_html_when_the_database_cannot_be_opened(app, testapp):
    app.db = _Unreachable(app.db)
    try:
        down = testapp.get("/", status=503)
    finally:
        app.db = app.db.db
    assert down.content_type == "text/html"
    assert "Traceback" not in down.text
