"""``/@@health`` against a real ZEO server and a real PostgreSQL (RelStorage)
that stop and come back."""

import json

import pytest
from webtest import TestApp

from cupola.wsgi import make_app

from servers import Server, script, wait_for

pytestmark = pytest.mark.slow


def test_health_follows_the_database_server(tmp_path, zeo):
    application = make_app(zodb_uri=zeo.uri(tmp_path / "blob-cache"), audit_log="none",
                           discover_addons="false")
    client = TestApp(application)
    try:
        assert json.loads(client.get("/@@health").text)["status"] == "ok"
        port = zeo.port
        zeo.stop()
        down = client.get("/@@health", status=503)
        assert "Traceback" not in down.text
        assert json.loads(down.text) == {**json.loads(down.text), "status": "unavailable",
                                         "database": "the database server is not connected"}
        assert down.headers.get("Retry-After")
        # the same server comes back on the same port: health recovers
        restarted = Server([script("runzeo"), "-C", zeo.folder / "zeo.conf"],
                           cwd=zeo.folder, port=port, log_name="zeo-again.log")
        wait_for(lambda: client.get("/@@health", expect_errors=True).status_int == 200,
                 timeout=60, what="health to recover after the ZEO restart")
        restarted.stop()
    finally:
        application.db.close()



def test_health_follows_postgresql(tmp_path):
    """RelStorage on a private PostgreSQL cluster that stops and starts again."""
    from scaleout import Postgres, find_pg_bin
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is missing: install Debian's postgresql (make deploy-deps)")
    cluster = Postgres(bin_dir)
    application = None
    try:
        application = make_app(zodb_uri=cluster.create_database(), audit_log="none",
                           discover_addons="false")
        client = TestApp(application)
        assert json.loads(client.get("/@@health").text)["status"] == "ok"
        cluster.stop()
        down = client.get("/@@health", status=503)
        assert "Traceback" not in down.text
        # beginning the request's transaction already fails (RelStorage polls
        # PostgreSQL then): the publisher answers, still in JSON with a reason
        body = json.loads(down.text)
        assert body["status"] == "unavailable" and body["reason"]
        assert down.headers["Cache-Control"].startswith("no-store")
        cluster.start()
        wait_for(lambda: client.get("/@@health", expect_errors=True).status_int == 200,
                 timeout=60, what="health to recover after PostgreSQL restarted")
    finally:
        if application is not None:
            application.db.close()
        cluster.destroy()
