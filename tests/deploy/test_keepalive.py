"""cupola.server: waitress keeps HTTP/1.1 connections open after a 304."""

import http.client
import threading

import pytest

from cupola.server import make_server

pytestmark = pytest.mark.slow


def app(environ, start_response):
    if environ.get("HTTP_IF_NONE_MATCH") == '"v1"':
        start_response("304 Not Modified", [("ETag", '"v1"')])
        return [b""]
    body = b"hello"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body))),
                              ("ETag", '"v1"')])
    return [body]


@pytest.fixture
def server():
    srv = make_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield srv.effective_port
    srv.close()
    thread.join(5)


def get(conn, headers):
    conn.request("GET", "/", headers=headers)
    response = conn.getresponse()
    response.read()
    return response


def test_connection_stays_open_after_304(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    first = get(conn, {"If-None-Match": '"v1"'})
    sock = conn.sock
    second = get(conn, {"If-None-Match": '"v1"'})
    third = get(conn, {})
    assert (first.status, second.status, third.status) == (304, 304, 200)
    assert first.getheader("Connection") is None
    assert conn.sock is sock  # the same TCP connection served all three
    assert third.read() == b"" and third.getheader("Content-Length") == "5"


def test_client_asking_to_close_gets_a_close(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    response = get(conn, {"If-None-Match": '"v1"', "Connection": "close"})
    assert response.status == 304
    assert response.getheader("Connection") == "close"


def test_http10_304_still_closes(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"
    response = get(conn, {"If-None-Match": '"v1"'})
    assert response.status == 304
    assert response.getheader("Connection") == "close"


def test_paste_server_runner_is_registered():
    from importlib.metadata import entry_points
    (ep,) = [ep for ep in entry_points(group="paste.server_runner")
             if ep.name == "waitress" and ep.value.startswith("cupola")]
    assert ep.load().__name__ == "serve_paste"
