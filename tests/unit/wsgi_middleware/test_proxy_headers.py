"""The proxy filter: headers applied only from trusted proxies, others removed."""

import pytest

from cupola.wsgi_middleware.proxy import (ProxyConfigError, ProxyMiddleware,
                                          make_proxy_filter, parse_forwarded)


def seen_by(middleware_kwargs, peer="127.0.0.1", **headers):
    """The environ the application behind the filter receives."""
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": peer, "wsgi.url_scheme": "http",
               "HTTP_HOST": "127.0.0.1:8080", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8080", "SCRIPT_NAME": "", "PATH_INFO": "/"}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    status = {}
    body = ProxyMiddleware(app, **middleware_kwargs)(
        environ, lambda s, h, e=None: status.update(s=s))
    return seen, status["s"], b"".join(body)


TRUST_LOCAL = {"trusted_proxies": "127.0.0.1"}
ALL = {"trusted_proxies": "127.0.0.1",
       "trusted_headers": "x-forwarded-for x-forwarded-proto x-forwarded-host "
                          "x-forwarded-port x-forwarded-prefix forwarded"}


def test_nothing_is_trusted_by_default():
    env, _, _ = seen_by({}, **{"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https",
                               "X-Forwarded-Host": "evil.example"})
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["wsgi.url_scheme"] == "http" and env["HTTP_HOST"] == "127.0.0.1:8080"


def test_untrusted_headers_are_removed_from_the_environ():
    env, _, _ = seen_by({}, **{"X-Forwarded-For": "6.6.6.6", "Forwarded": "for=1.2.3.4",
                               "X-Forwarded-Prefix": "/x", "X-Real-Ip": "6.6.6.6"})
    assert not [k for k in env if "FORWARDED" in k or k == "HTTP_X_REAL_IP"]


def test_a_peer_outside_the_trusted_list_is_ignored():
    env, _, _ = seen_by(TRUST_LOCAL, peer="192.0.2.7", **{"X-Forwarded-For": "6.6.6.6"})
    assert env["REMOTE_ADDR"] == "192.0.2.7"


def test_trusted_proxy_sets_client_scheme_and_host():
    env, _, _ = seen_by(TRUST_LOCAL, **{"X-Forwarded-For": "203.0.113.9",
                                        "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Host": "www.example.org"})
    assert env["REMOTE_ADDR"] == "203.0.113.9"
    assert env["wsgi.url_scheme"] == "https"
    assert (env["HTTP_HOST"], env["SERVER_NAME"], env["SERVER_PORT"]) == \
        ("www.example.org", "www.example.org", "443")
    assert env["cupola.proxy_peer"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in env


def test_networks_match():
    env, _, _ = seen_by({"trusted_proxies": "10.0.0.0/8 ::1"}, peer="10.1.2.3",
                        **{"X-Forwarded-For": "198.51.100.1"})
    assert env["REMOTE_ADDR"] == "198.51.100.1"
    env, _, _ = seen_by({"trusted_proxies": "10.0.0.0/8 ::1"}, peer="::1",
                        **{"X-Forwarded-For": "198.51.100.2"})
    assert env["REMOTE_ADDR"] == "198.51.100.2"


@pytest.mark.parametrize("hops, chain, client", [
    (1, "1.1.1.1, 2.2.2.2, 3.3.3.3", "3.3.3.3"),  # a client's fake entries are left of ours
    (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
    (3, "2.2.2.2", "2.2.2.2"),
])
def test_hops_count_from_the_right(hops, chain, client):
    env, _, _ = seen_by({"trusted_proxies": "127.0.0.1", "trusted_hops": hops},
                        **{"X-Forwarded-For": chain})
    assert env["REMOTE_ADDR"] == client


def test_a_header_not_listed_is_not_applied():
    env, _, _ = seen_by(TRUST_LOCAL, **{"X-Forwarded-Prefix": "/cms"})
    assert env["SCRIPT_NAME"] == "" and "HTTP_X_FORWARDED_PREFIX" not in env


def test_prefix_becomes_script_name():
    env, _, _ = seen_by(ALL, **{"X-Forwarded-Prefix": "/cms/"})
    assert env["SCRIPT_NAME"] == "/cms" and env["PATH_INFO"] == "/"


def test_port_is_applied_to_host():
    env, _, _ = seen_by(ALL, **{"X-Forwarded-Proto": "https",
                                "X-Forwarded-Host": "example.org",
                                "X-Forwarded-Port": "8443"})
    assert env["HTTP_HOST"] == "example.org:8443" and env["SERVER_PORT"] == "8443"


def test_proto_alone_keeps_the_host_header():
    env, _, _ = seen_by(TRUST_LOCAL, HOST="www.example.org", **{"X-Forwarded-Proto": "https"})
    assert env["HTTP_HOST"] == "www.example.org" and env["SERVER_PORT"] == "443"


def test_rfc7239_forwarded():
    env, _, _ = seen_by(ALL, **{"Forwarded": 'for="[2001:db8::1]:4711";proto=https;'
                                             'host=www.example.org'})
    assert env["REMOTE_ADDR"] == "2001:db8::1"
    assert env["wsgi.url_scheme"] == "https" and env["HTTP_HOST"] == "www.example.org"


def test_forwarded_wins_over_x_forwarded():
    env, _, _ = seen_by(ALL, **{"Forwarded": "for=192.0.2.60;proto=https",
                                "X-Forwarded-For": "198.51.100.9"})
    assert env["REMOTE_ADDR"] == "192.0.2.60"


def test_parse_forwarded_elements():
    assert parse_forwarded('for=a;proto=http, for="b, c";host=x') == [
        {"for": "a", "proto": "http"}, {"for": "b, c", "host": "x"}]


@pytest.mark.parametrize("header, value", [
    ("X-Forwarded-Proto", "gopher"),
    ("X-Forwarded-Host", "evil.example/path"),
    ("X-Forwarded-Host", "a b"),
    ("X-Forwarded-Port", "99999"),
    ("X-Forwarded-Prefix", "/a/../b"),
    ("X-Forwarded-Prefix", "no-slash"),
    ("X-Forwarded-Prefix", '/a"><script>'),
    ("Forwarded", "for"),
])
def test_bad_values_from_a_trusted_proxy_answer_400(header, value):
    env, status, body = seen_by(ALL, **{header: value})
    assert status.startswith("400") and not env
    assert b"proxy" in body and b"Traceback" not in body


@pytest.mark.parametrize("settings", [
    {"trusted_proxies": "not-an-ip"},
    {"trusted_proxies": "127.0.0.1", "trusted_headers": "x-forwarded-everything"},
    {"trusted_proxies": "127.0.0.1", "trusted_hops": "0"},
    {"trusted_proxies": "127.0.0.1", "trusted_hops": "two"},
])
def test_bad_settings_fail_at_startup_naming_the_setting(settings):
    with pytest.raises(ProxyConfigError) as info:
        make_proxy_filter(lambda e, s: [], {}, **settings)
    assert list(settings)[-1] in str(info.value)


def test_unix_socket_peer():
    env, _, _ = seen_by({"trusted_proxies": "unix"}, peer="", **{"X-Forwarded-For": "1.2.3.4"})
    assert env["REMOTE_ADDR"] == "1.2.3.4"
    env, _, _ = seen_by({"trusted_proxies": "127.0.0.1"}, peer="", **{"X-Forwarded-For": "1.2.3.4"})
    assert env["REMOTE_ADDR"] == ""


def test_virtual_root_by_host_without_port_and_case():
    env, _, _ = seen_by({"virtual_roots": "press.example.org /press/room"},
                        HOST="PRESS.Example.org:8443")
    assert env["cupola.virtual_root"] == ("press", "room")
    env, _, _ = seen_by({"virtual_roots": "press.example.org /press"}, HOST="www.example.org")
    assert "cupola.virtual_root" not in env


def test_virtual_root_follows_a_trusted_forwarded_host():
    env, _, _ = seen_by({"trusted_proxies": "127.0.0.1",
                         "virtual_roots": "press.example.org /press"},
                        **{"X-Forwarded-Host": "press.example.org"})
    assert env["cupola.virtual_root"] == ("press",)
    env, _, _ = seen_by({"virtual_roots": "press.example.org /press"},  # not trusted
                        **{"X-Forwarded-Host": "press.example.org"})
    assert "cupola.virtual_root" not in env
