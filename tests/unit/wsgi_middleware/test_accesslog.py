"""The access log filter: Apache combined format, one line per request."""

import re

from webtest import TestApp

from cupola.wsgi_middleware.accesslog import (AccessLogMiddleware, escape, file_logger,
                                              make_accesslog_filter)
from cupola.wsgi_middleware.proxy import ProxyMiddleware

COMBINED = re.compile(
    r'(?P<host>\S+) - (?P<user>\S+) \[(?P<time>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
    r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<size>\d+|-) '
    r'"(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)"(?: (?P<micros>\d+))?\Z')


def hello(environ, start_response):
    start_response("201 Created", [("Content-Type", "text/plain")])
    return [b"hello ", b"world"]


def lines_of(path):
    return path.read_text().splitlines()


def test_combined_line_to_a_file(tmp_path):
    log = tmp_path / "logs" / "access.log"
    app = TestApp(make_accesslog_filter(hello, {}, path=str(log)))
    app.get("/a/b?q=1", headers={"Referer": "https://ex.org/", "User-Agent": "Tester/1.0"},
            extra_environ={"REMOTE_ADDR": "198.51.100.4"}, status=201)
    (line,) = lines_of(log)
    m = COMBINED.match(line)
    assert m, line
    assert m["host"] == "198.51.100.4" and m["user"] == "-"
    assert m["request"] == "GET /a/b?q=1 HTTP/1.0"
    assert (m["status"], m["size"]) == ("201", "11")
    assert (m["referer"], m["agent"]) == ("https://ex.org/", "Tester/1.0")
    assert m["micros"] is None


def test_latency_is_appended_in_microseconds(tmp_path):
    log = tmp_path / "access-latency.log"
    app = TestApp(make_accesslog_filter(hello, {}, path=str(log), latency="true"))
    app.get("/", status=201)
    m = COMBINED.match(lines_of(log)[0])
    assert m and m["micros"] is not None and int(m["micros"]) >= 0


def test_quotes_and_control_characters_are_escaped(tmp_path):
    log = tmp_path / "access-escape.log"
    app = TestApp(make_accesslog_filter(hello, {}, path=str(log)))
    app.get("/", headers={"User-Agent": 'evil" "x\x1b[31m'}, status=201)
    line = lines_of(log)[0]
    m = COMBINED.match(line)
    assert m, line
    assert m["agent"] == 'evil\\" \\"x\\x1b[31m'
    assert escape("a\\b") == "a\\\\b"


def test_signed_in_user_and_real_client_behind_a_proxy(tmp_path, app):
    from conftest import sign_in
    log = tmp_path / "access-user.log"
    wrapped = ProxyMiddleware(make_accesslog_filter(app, {}, path=str(log)),
                              trusted_proxies="127.0.0.1")
    client = TestApp(wrapped, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    sign_in(client)
    client.get("/", headers={"X-Forwarded-For": "203.0.113.50"})
    last = COMBINED.match(lines_of(log)[-1])
    assert last["host"] == "203.0.113.50" and last["user"] == "admin"
    assert last["status"] == "200" and int(last["size"]) > 0


def test_an_exception_is_logged_as_500_and_raised(tmp_path):
    import pytest
    log = tmp_path / "access-error.log"

    def broken(environ, start_response):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        TestApp(make_accesslog_filter(broken, {}, path=str(log))).get("/")
    assert COMBINED.match(lines_of(log)[0])["status"] == "500"


def test_stderr_target(capfd):
    logger = file_logger("-")
    TestApp(AccessLogMiddleware(hello, logger=logger)).get("/", status=201)
    assert COMBINED.match(capfd.readouterr().err.strip().splitlines()[-1])


def test_the_same_file_configured_twice_gets_one_handler(tmp_path):
    log = tmp_path / "twice.log"
    first, second = file_logger(str(log)), file_logger(str(log))
    assert first is second
    TestApp(AccessLogMiddleware(hello, logger=first)).get("/", status=201)
    assert len(lines_of(log)) == 1


def test_a_rotated_file_is_opened_again(tmp_path, monkeypatch):
    from cupola.wsgi_middleware.accesslog import LineFile
    log = tmp_path / "rotate" / "access.log"
    lines = LineFile(str(log))
    lines.check_every = 0  # look at every line (the default is once a second)
    lines.info("one")
    log.rename(tmp_path / "rotate" / "access.log.1")  # what logrotate does
    lines.info("two")
    assert (tmp_path / "rotate" / "access.log.1").read_text() == "one\n"
    assert log.read_text() == "two\n"


def test_empty_path_uses_the_logging_configuration(caplog):
    import logging
    caplog.set_level(logging.INFO, logger="cupola.access")
    TestApp(make_accesslog_filter(hello, {}, path="")).get("/", status=201)
    assert [r for r in caplog.records if r.name == "cupola.access"
            and COMBINED.match(r.getMessage())]
