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
