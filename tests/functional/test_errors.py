"""Bad input gets the right status and the site's error page; nothing changes."""

import io

import pytest


def call_raw(app, path, method="GET", body=b"", headers=None, query=""):
    """Call the WSGI app with a hand-made environ (bytes a client may send)."""
    status_headers = {}

    def start_response(status, headers, exc_info=None):
        status_headers["status"], status_headers["headers"] = status, headers

    env = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
        "QUERY_STRING": query, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
        "HTTP_HOST": "localhost", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)),
    }
    env.update(headers or {})
    chunks = app(env, start_response)
    data = b"".join(chunks)
    return int(status_headers["status"][:3]), dict(status_headers["headers"]), data


@pytest.fixture
def last_tid(app):
    return lambda: app.db.lastTransaction()


class TestStatusCodes:
    @pytest.mark.parametrize("path, status", [
        ("/no-such-page", 404),
        ("/welcome/deeper/still", 404),
        ("/welcome/@@no-such-view", 404),
        ("/@@no-such-view", 404),
        ("/welcome/@@view/extra", 404),
        ("/++nope++x", 404),
        ("/++bad", 404),
        ("/a/../welcome", 400),
        ("/" + "a/" * 100, 400),
        ("/_private", 404),
        ("/welcome/__class__", 404),
        ("/welcome/text", 404),
        ("/no/such/thing", 404),
    ])
    def test_paths(self, testapp, path, status):
        response = testapp.get(path, expect_errors=True)
        assert response.status_int == status
        assert response.content_type == "text/html"
        assert 'class="site-header"' in response.text  # the site's look
        assert "Traceback" not in response.text

    def test_not_found_page_explains(self, testapp):
        page = testapp.get("/missing", status=404)
        assert page.html.h1.text == "Page not found"

    def test_invalid_utf8_path_is_400(self, app):
        status, headers, body = call_raw(app, "/\xff\xfe")
        assert status == 400 and b"Bad request" in body

    def test_malformed_percent_encoding_is_404(self, app):
        status, _, body = call_raw(app, "/%zz")
        assert status == 404

    def test_null_byte_is_400(self, app):
        assert call_raw(app, "/a\x00b")[0] == 400

    def test_overlong_url_is_414(self, app):
        status, _, body = call_raw(app, "/" + "x" * 10000)
        assert status == 414 and b"Address too long" in body

    def test_wrong_method_is_405_with_allow(self, testapp):
        response = testapp.post("/welcome", status=405)
        assert response.headers["Allow"] == "GET, HEAD"
        assert "Method not allowed" in response

    def test_options_lists_methods(self, testapp):
        response = testapp.options("/@@login", status=204)
        assert response.headers["Allow"] == "GET, HEAD, POST"

    def test_unknown_method_is_405(self, app):
        assert call_raw(app, "/welcome", method="BREW")[0] == 405

    def test_body_over_the_limit_is_413(self):
        from conftest import build_app
        small = build_app(max_request_body="100")
        status, _, body = call_raw(small, "/@@login", "POST", b"x" * 500,
                                   {"CONTENT_TYPE": "application/x-www-form-urlencoded"})
        assert status == 413 and b"Request too large" in body

    def test_bad_content_length_is_400(self, app):
        status, *_ = call_raw(app, "/@@login", "POST", b"", {"CONTENT_LENGTH": "abc"})
        assert status == 400

    def test_truncated_body_is_400(self, app):
        status, *_ = call_raw(app, "/@@login", "POST", b"a=1",
                              {"CONTENT_LENGTH": "50",
                               "CONTENT_TYPE": "application/x-www-form-urlencoded"})
        assert status == 400

    def test_malformed_multipart_is_400(self, testapp, app):
        from conftest import csrf_from
        token = csrf_from(testapp.get("/@@login"))
        cookie = testapp.cookies["cupola_csrf"]
        body = b"--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"
        status, *_ = call_raw(app, "/@@login", "POST", body, {
            "CONTENT_TYPE": "multipart/form-data; boundary=xx",
            "HTTP_COOKIE": f"cupola_csrf={cookie}",
            "HTTP_X_CSRF_TOKEN": token})
        assert status == 400


class TestDatabaseUnchanged:
    @pytest.mark.parametrize("method, path", [
        ("GET", "/no-such"), ("POST", "/welcome"), ("POST", "/@@login"),
        ("GET", "/welcome/@@nope"), ("DELETE", "/welcome"),
    ])
    def test_errors_commit_nothing(self, app, testapp, last_tid, method, path):
        before = last_tid()
        testapp.request(path, method=method, expect_errors=True)
        assert last_tid() == before


class TestTracebacks:
    def boom_app(self, **settings):
        from conftest import build_app
        from cupola.interfaces import ISite

        def boom(context, request):
            raise RuntimeError("secret internals")

        def include(config):
            config.add_view(boom, "boom", context=ISite, permission="cupola.View")

        return build_app(include, **settings)

    def test_500_hides_the_traceback(self):
        from webtest import TestApp
        page = TestApp(self.boom_app()).get("/@@boom", status=500)
        assert "Server error" in page and "secret internals" not in page
        assert "Traceback" not in page

    def test_debug_shows_the_traceback(self):
        from webtest import TestApp
        page = TestApp(self.boom_app(debug="true")).get("/@@boom", status=500)
        assert "Traceback" in page and "secret internals" in page
