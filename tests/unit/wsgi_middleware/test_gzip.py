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


# -- what the filter must leave alone, and how it labels what it changes --

def gz_get(app, **headers):
    return raw(app, **{"Accept-Encoding": "gzip", **headers})


def test_vary_is_sent_to_clients_without_gzip_too():
    status, headers, body = raw(GzipMiddleware(app_returning(PAGE)))
    assert "Content-Encoding" not in headers and body == PAGE
    assert headers["Vary"] == "Accept-Encoding"


def test_vary_joins_an_existing_vary():
    _, headers, _ = gz_get(GzipMiddleware(app_returning(PAGE, extra=[("Vary", "Cookie")])))
    assert headers["Vary"] == "Cookie, Accept-Encoding"


def test_q_zero_refuses_gzip():
    _, headers, body = raw(GzipMiddleware(app_returning(PAGE)),
                           **{"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in headers and body == PAGE


def test_star_accepts_gzip():
    _, headers, body = raw(GzipMiddleware(app_returning(PAGE)), **{"Accept-Encoding": "*"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == PAGE


def test_never_compresses_twice():
    already = gzip.compress(PAGE)
    app = GzipMiddleware(app_returning(already, extra=[("Content-Encoding", "gzip")]))
    _, headers, body = gz_get(app)
    assert body == already and headers["Content-Encoding"] == "gzip"


def test_no_transform_is_respected():
    app = GzipMiddleware(app_returning(PAGE, extra=[("Cache-Control", "no-transform")]))
    _, headers, body = gz_get(app)
    assert "Content-Encoding" not in headers and body == PAGE


def test_head_is_not_compressed():
    from webob import Request
    req = Request.blank("/", method="HEAD", headers={"Accept-Encoding": "gzip"})
    response = req.get_response(GzipMiddleware(app_returning(PAGE)))
    assert "Content-Encoding" not in response.headers
    assert response.headers["Content-Length"] == str(len(PAGE))


def test_partial_content_is_not_compressed():
    app = GzipMiddleware(app_returning(PAGE[:100], status="206 Partial Content",
                                       extra=[("Content-Range", "bytes 0-99/2412")]))
    status, headers, body = gz_get(app)
    assert status.startswith("206") and body == PAGE[:100]
    assert "Content-Encoding" not in headers


def test_weak_etag_keeps_weakness_and_gets_suffix():
    app = GzipMiddleware(app_returning(PAGE, extra=[("ETag", 'W/"abc"')]))
    _, headers, _ = gz_get(app)
    assert headers["ETag"] == 'W/"abc-gz"'


def test_a_304_for_the_compressed_variant_names_it():
    def not_modified(environ, start_response):
        start_response("304 Not Modified", [("ETag", '"abc"')])
        return []
    _, headers, _ = gz_get(GzipMiddleware(not_modified), **{"If-None-Match": '"abc-gz"'})
    assert headers["ETag"] == '"abc-gz"'


def test_streamed_body_of_unknown_length_is_compressed_as_it_streams():
    chunks = [b"line %d of a long text file\n" % i for i in range(5000)]
    pulled = []

    def streaming(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            for chunk in chunks:
                pulled.append(chunk)
                yield chunk
        return body()

    app = GzipMiddleware(streaming)
    captured = {}
    result = app({"REQUEST_METHOD": "GET", "HTTP_ACCEPT_ENCODING": "gzip"},
                 lambda s, h, e=None: captured.update(h=dict(h)))
    assert "Content-Length" not in captured["h"]
    assert captured["h"]["Content-Encoding"] == "gzip"
    first = next(iter(result))
    assert len(pulled) < len(chunks)  # not read whole before sending
    rest = b"".join(result)
    assert gzip.decompress(first + rest) == b"".join(chunks)


def test_close_is_called_on_the_inner_body():
    closed = []

    class Body:
        def __iter__(self):
            return iter([PAGE])

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return Body()

    for headers in ({}, {"HTTP_ACCEPT_ENCODING": "gzip"}):
        result = GzipMiddleware(app)({"REQUEST_METHOD": "GET", **headers},
                                     lambda s, h, e=None: None)
        b"".join(result)
        getattr(result, "close", lambda: None)()
    assert closed == [True, True]


def test_legacy_write_data_is_kept():
    def writer(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/html"),
                                          ("Content-Length", str(len(PAGE)))])
        write(PAGE[:1000])
        return [PAGE[1000:]]
    _, headers, body = gz_get(GzipMiddleware(writer))
    assert gzip.decompress(body) == PAGE


def test_app_that_starts_the_response_lazily():
    def lazy(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        yield PAGE
    _, headers, body = gz_get(GzipMiddleware(lazy))
    assert gzip.decompress(body) == PAGE


def test_real_file_download_full_and_ranged(site_of):
    from webob import Request
    from conftest import build_app, publish
    from cupola.content.file import File
    app = build_app()
    text = b"".join(b"line %d\n" % i for i in range(2000))
    with site_of(app) as site:
        site["notes.txt"] = publish(File(title="notes", data=text,
                                         filename="notes.txt", content_type="text/plain"))
    wrapped = GzipMiddleware(app)
    full = Request.blank("/notes.txt/@@download",
                         headers={"Accept-Encoding": "gzip"}).get_response(wrapped)
    assert full.status_int == 200 and full.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(full.body) == text
    assert "Accept-Ranges" not in full.headers
    ranged = Request.blank("/notes.txt/@@download", headers={
        "Accept-Encoding": "gzip", "Range": "bytes=0-99"}).get_response(wrapped)
    assert ranged.status_int == 206
    assert "Content-Encoding" not in ranged.headers and ranged.body == text[:100]


def test_the_same_body_is_compressed_once_and_served_again():
    from cupola.wsgi_middleware.gzip import CompressedCache
    cache = CompressedCache()
    first = cache.compress(PAGE, 6)
    assert cache.compress(PAGE, 6) is first
    other = PAGE.replace(b"hello", b"HELLO")
    assert gzip.decompress(cache.compress(other, 6)) == other


def test_compressed_cache_stays_within_its_bound():
    from cupola.wsgi_middleware.gzip import CompressedCache
    import os
    cache = CompressedCache(max_bytes=4096)
    for _ in range(50):
        cache.compress(os.urandom(600), 6)  # incompressible: ~620 bytes each
        assert cache._bytes <= 4096


def test_different_pages_never_share_compressed_bytes():
    pages = [PAGE + str(i).encode() for i in range(5)]
    app = GzipMiddleware(lambda e, s: app_returning(pages[int(e["QUERY_STRING"])])(e, s))
    from webob import Request
    for round_ in range(2):
        for i, page in enumerate(pages):
            req = Request.blank(f"/?{i}", headers={"Accept-Encoding": "gzip"})
            assert gzip.decompress(req.get_response(app).body) == page


def test_cache_can_be_turned_off():
    wrapped = make_gzip_filter(app_returning(PAGE), {}, cache_mb="0")
    assert wrapped.cache is None
    _, headers, body = raw(wrapped, **{"Accept-Encoding": "gzip"})
    assert gzip.decompress(body) == PAGE


def test_revalidating_a_compressed_file_download_answers_304(site_of):
    """WebOb's conditional response knows only its own tag; the filter lets
    it compare the tag behind the -gz suffix."""
    from webob import Request
    from conftest import build_app, publish
    from cupola.content.file import File
    app = build_app()
    with site_of(app) as site:
        site["notes.txt"] = publish(File(title="notes", data=PAGE, filename="notes.txt",
                                         content_type="text/plain"))
    wrapped = GzipMiddleware(app)
    first = Request.blank("/notes.txt/@@download",
                          headers={"Accept-Encoding": "gzip"}).get_response(wrapped)
    tag = first.headers["ETag"]
    assert tag.endswith('-gz"')
    again = Request.blank("/notes.txt/@@download", headers={
        "Accept-Encoding": "gzip", "If-None-Match": tag}).get_response(wrapped)
    assert again.status_int == 304 and again.headers["ETag"] == tag
    plain = Request.blank("/notes.txt/@@download",
                          headers={"If-None-Match": tag}).get_response(wrapped)
    assert plain.status_int == 200 and plain.body == PAGE  # it holds no plain copy
