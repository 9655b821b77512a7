"""The gzip filter of the PasteDeploy pipeline."""

import gzip

from webtest import TestApp

from cupola.wsgi_middleware.gzip import GzipMiddleware, make_gzip_filter

PAGE = b"<p>" + b"hello world " * 200 + b"</p>"


def app_returning(body, ctype="text/html; charset=utf-8", status="200 OK", extra=()):
    def app(environ, start_response):
        start_response(status, [("Content-Type", ctype),
                                ("Content-Length", str(len(body))), *extra])
        return [body]
    return app


def raw(app, **headers):
    """Call *app* directly (WebTest would undo the compression)."""
    from webob import Request
    req = Request.blank("/", headers=headers)
    captured = {}
    body = b"".join(app(req.environ, lambda s, h, e=None: captured.update(s=s, h=dict(h))))
    return captured["s"], captured["h"], body


def test_compresses_html_for_gzip_clients():
    status, headers, body = raw(GzipMiddleware(app_returning(PAGE)),
                                **{"Accept-Encoding": "gzip, br"})
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body) < len(PAGE)


def test_body_round_trips():
    app = GzipMiddleware(app_returning(PAGE))
    captured = {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "HTTP_ACCEPT_ENCODING": "gzip"},
                        lambda s, h, e=None: captured.update(h=h)))
    assert gzip.decompress(body) == PAGE


def test_leaves_clients_without_gzip_alone():
    r = TestApp(GzipMiddleware(app_returning(PAGE))).get("/")
    assert "Content-Encoding" not in r.headers and r.body == PAGE


def test_skips_images_small_bodies_errors_and_ranges():
    png = GzipMiddleware(app_returning(PAGE, "image/png"))
    assert "Content-Encoding" not in TestApp(png).get(
        "/", headers={"Accept-Encoding": "gzip"}).headers
    small = GzipMiddleware(app_returning(b"<p>hi</p>"))
    assert "Content-Encoding" not in TestApp(small).get(
        "/", headers={"Accept-Encoding": "gzip"}).headers
    ranged = GzipMiddleware(app_returning(PAGE))
    assert "Content-Encoding" not in TestApp(ranged).get(
        "/", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-5"}).headers


def test_etag_gets_a_variant_suffix():
    app = GzipMiddleware(app_returning(PAGE, extra=[("ETag", '"abc"')]))
    r = TestApp(app).get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["ETag"] == '"abc-gz"'


def test_paste_filter_factory():
    wrapped = make_gzip_filter(app_returning(PAGE), {}, compress_level="9")
    assert isinstance(wrapped, GzipMiddleware) and wrapped.level == 9


def test_conditional_get_through_gzip_answers_304():
    from conftest import build_app
    app = GzipMiddleware(build_app())
    from webob import Request
    first = Request.blank("/welcome", headers={"Accept-Encoding": "gzip"}).get_response(app)
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"].endswith('-gz"')
    again = Request.blank("/welcome", headers={
        "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}).get_response(app)
    assert again.status_int == 304
