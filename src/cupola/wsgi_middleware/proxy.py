"""Proxy headers, honoured only from the proxies the operator trusts.

A reverse proxy (nginx, Apache, a load balancer) tells the application who
the client was and which address it asked for: ``X-Forwarded-For``,
``-Proto``, ``-Host``, ``-Port``, ``-Prefix`` or RFC 7239 ``Forwarded``.
Anyone can send those headers, so they are applied only when the socket
peer (``REMOTE_ADDR``) is one of ``trusted_proxies`` and the header is one of
``trusted_headers``; every other proxy header is removed from the environ,
so nothing behind this filter can be fooled by them.

Applied, they rewrite the environ the way the client saw the site:
``REMOTE_ADDR``, ``wsgi.url_scheme``, ``HTTP_HOST``, ``SERVER_NAME``,
``SERVER_PORT`` and ``SCRIPT_NAME`` (the prefix), so that every URL the
application builds from ``request.application_url`` points where the
client can reach it.

``virtual_roots`` mounts a folder as the root of a host name: with
``www.example.org /news``, ``https://www.example.org/2026/launch`` is the
object ``/news/2026/launch`` and every link the site builds on that host
leaves ``/news`` out. Site-wide views (sign-in, search, static resources,
the admin screens) answer on the mounted folder too.
"""

import ipaddress
import re

from cupola.exceptions import CupolaError
from cupola.request import VIRTUAL_ROOT

# environ key of each header this filter understands
HEADERS = {
    "x-forwarded-for": "HTTP_X_FORWARDED_FOR",
    "x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
    "x-forwarded-host": "HTTP_X_FORWARDED_HOST",
    "x-forwarded-port": "HTTP_X_FORWARDED_PORT",
    "x-forwarded-prefix": "HTTP_X_FORWARDED_PREFIX",
    "forwarded": "HTTP_FORWARDED",
}
# cleared as well, though never applied
OTHER_PROXY_KEYS = ("HTTP_X_FORWARDED_BY", "HTTP_X_FORWARDED_SERVER",
                    "HTTP_X_FORWARDED_SSL", "HTTP_X_FORWARDED_PROTOCOL",
                    "HTTP_X_REAL_IP")
DEFAULT_HEADERS = ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                   "x-forwarded-port")
PEER_KEY = "cupola.proxy_peer"  # environ: the socket peer, when it was a proxy

_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])"
                   r"(?::[0-9]{1,5})?\Z")
_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*/?\Z")
_TOKEN = re.compile(r'\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)=("(?:[^"\\]|\\.)*"|[^;,\s]*)\s*')


class ProxyConfigError(CupolaError, ValueError):
    """A proxy setting cannot be understood (names the setting)."""


class BadProxyHeader(ValueError):
    """A trusted proxy sent a header this filter cannot apply."""


def parse_networks(value):
    """Networks from ``127.0.0.1 10.0.0.0/8 ::1 unix`` (``unix``: no peer
    address, as over a Unix socket)."""
    networks, unix = [], False
    for word in (value or "").replace(",", " ").split():
        if word.lower() == "unix":
            unix = True
            continue
        try:
            networks.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            raise ProxyConfigError(
                f"trusted_proxies: {word!r} is not an IP address or network "
                "(e.g. 127.0.0.1, 10.0.0.0/8, ::1, unix).") from None
    return tuple(networks), unix


def parse_virtual_roots(value):
    """{host: (name, ...)} from lines of ``host /path/of/folder``."""
    roots = {}
    words = (value or "").split()
    if len(words) % 2:
        raise ProxyConfigError(
            "virtual_roots: give pairs of a host name and a folder path, "
            "e.g. 'www.example.org /news'.")
    for host, path in zip(words[::2], words[1::2]):
        names = tuple(n for n in path.split("/") if n)
        if not path.startswith("/") or not names or any(n in (".", "..") for n in names):
            raise ProxyConfigError(
                f"virtual_roots: {path!r} (for {host}) is not a folder path such as /news.")
        if not _HOST.match(host) or ":" in host.strip("[]"):
            raise ProxyConfigError(f"virtual_roots: {host!r} is not a host name (no port).")
        roots[host.lower()] = names
    return roots


def parse_headers(value):
    names = [w.lower() for w in (value or "").replace(",", " ").split()]
    for name in names:
        if name not in HEADERS:
            raise ProxyConfigError(
                f"trusted_headers: {name!r} is not one of {', '.join(HEADERS)}.")
    return frozenset(names)


def parse_forwarded(value):
    """RFC 7239 elements as dicts of lower-case parameter names."""
    elements = []
    for raw in _split_outside_quotes(value, ","):
        element = {}
        for pair in _split_outside_quotes(raw, ";"):
            if not pair.strip():
                continue
            match = _TOKEN.fullmatch(pair)
            if match is None:
                raise BadProxyHeader(f"Forwarded: cannot parse {pair.strip()!r}")
            name, val = match.group(1).lower(), match.group(2)
            if val.startswith('"'):
                val = re.sub(r"\\(.)", r"\1", val[1:-1])
            element[name] = val
        elements.append(element)
    return elements


def _split_outside_quotes(value, sep):
    parts, current, quoted, escaped = [], [], False, False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


class ProxyMiddleware:
    """Apply trusted proxy headers to the environ; clear all others."""

    def __init__(self, app, trusted_proxies="", trusted_hops=1,
                 trusted_headers=DEFAULT_HEADERS, virtual_roots=""):
        self.app = app
        self.virtual_roots = (parse_virtual_roots(virtual_roots)
                              if isinstance(virtual_roots, str) else dict(virtual_roots))
        self.networks, self.unix = parse_networks(trusted_proxies)
        if isinstance(trusted_headers, str):
            trusted_headers = parse_headers(trusted_headers)
        self.headers = frozenset(trusted_headers)
        try:
            self.hops = int(trusted_hops)
        except ValueError:
            raise ProxyConfigError(f"trusted_hops: {trusted_hops!r} is not a number.") from None
        if self.hops < 1:
            raise ProxyConfigError("trusted_hops must be 1 or more.")
        self._verdicts = {}  # {peer address: trusted?}; few peers, parsing is slow

    def trusts(self, peer):
        verdict = self._verdicts.get(peer)
        if verdict is None:
            verdict = self._trusts(peer)
            if len(self._verdicts) > 4096:
                self._verdicts.clear()
            self._verdicts[peer] = verdict
        return verdict

    def _trusts(self, peer):
        if not peer:
            return self.unix
        try:
            addr = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        if addr.version == 6 and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        return any(addr in net for net in self.networks)

    def __call__(self, environ, start_response):
        trusted = self.trusts(environ.get("REMOTE_ADDR", ""))
        if trusted:
            try:
                self.apply(environ)
            except BadProxyHeader as e:
                body = (f"Bad Request\n\nThe proxy in front of this site sent a "
                        f"header that cannot be used: {e}\n").encode()
                start_response("400 Bad Request", [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body)))])
                return [body]
        for key in (*HEADERS.values(), *OTHER_PROXY_KEYS):
            environ.pop(key, None)
        if self.virtual_roots:
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            names = self.virtual_roots.get(_split_host(host)[0].lower())
            if names:
                environ[VIRTUAL_ROOT] = names
        return self.app(environ, start_response)

    def _pick(self, values):
        """The value the outermost trusted proxy saw: *hops* from the right."""
        if not values:
            return None
        return values[-self.hops] if len(values) >= self.hops else values[0]

    def _list(self, environ, name):
        if name not in self.headers:
            return []
        raw = environ.get(HEADERS[name])
        if raw is None:
            return []
        return [v.strip() for v in raw.split(",") if v.strip()]

    def apply(self, environ):
        found = {}
        if "forwarded" in self.headers and environ.get("HTTP_FORWARDED"):
            elements = parse_forwarded(environ["HTTP_FORWARDED"])
            element = self._pick(elements) or {}
            for key in ("for", "proto", "host"):
                if key in element:
                    found[key] = element[key]
        for key, header in (("for", "x-forwarded-for"), ("proto", "x-forwarded-proto"),
                            ("host", "x-forwarded-host"), ("port", "x-forwarded-port"),
                            ("prefix", "x-forwarded-prefix")):
            if key not in found:
                value = self._pick(self._list(environ, header))
                if value is not None:
                    found[key] = value
        if not found:
            return
        environ[PEER_KEY] = environ.get("REMOTE_ADDR", "")
        if "for" in found:
            environ["REMOTE_ADDR"] = _client_address(found["for"])
        scheme = environ.get("wsgi.url_scheme", "http")
        if "proto" in found:
            scheme = found["proto"].lower()
            if scheme not in ("http", "https"):
                raise BadProxyHeader(f"unknown scheme {found['proto']!r}")
            environ["wsgi.url_scheme"] = scheme
            environ["HTTPS"] = "on" if scheme == "https" else "off"
        if "host" in found:
            host = found["host"]
            if not _HOST.match(host):
                raise BadProxyHeader(f"not a host name: {host!r}")
            environ["HTTP_HOST"] = host
            name, port = _split_host(host)
            environ["SERVER_NAME"] = name
            environ["SERVER_PORT"] = port or ("443" if scheme == "https" else "80")
        elif "proto" in found:
            name, port = _split_host(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
            if not port:
                environ["SERVER_PORT"] = "443" if scheme == "https" else "80"
        if "port" in found:
            self._apply_port(environ, found["port"], scheme)
        if "prefix" in found:
            prefix = found["prefix"]
            if not _PREFIX.match(prefix) or any(
                    seg in (".", "..") for seg in prefix.split("/")):
                raise BadProxyHeader(f"not a path prefix: {prefix!r}")
            environ["SCRIPT_NAME"] = prefix.rstrip("/") + environ.get("SCRIPT_NAME", "")

    @staticmethod
    def _apply_port(environ, port, scheme):
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise BadProxyHeader(f"not a port: {port!r}")
        environ["SERVER_PORT"] = port
        name, _ = _split_host(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        default = "443" if scheme == "https" else "80"
        environ["HTTP_HOST"] = name if port == default else f"{name}:{port}"


def _split_host(host):
    """("example.org", "8080") from "example.org:8080"; IPv6 in brackets."""
    if host.startswith("["):
        end = host.find("]")
        return host[:end + 1], host[end + 2:]
    name, _, port = host.partition(":")
    return name, port


def _client_address(value):
    """The address part of a ``for`` value: drops a port and IPv6 brackets."""
    value = value.strip()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:  # IPv4 with a port
        return value.split(":", 1)[0]
    return value  # IPv6 bare, "unknown" or an obfuscated identifier


def make_proxy_filter(app, global_config=None, **settings):
    """PasteDeploy ``filter_app_factory`` for ``egg:cupola#proxy``."""
    return ProxyMiddleware(
        app, trusted_proxies=settings.get("trusted_proxies", ""),
        trusted_hops=settings.get("trusted_hops", 1),
        trusted_headers=settings.get("trusted_headers", " ".join(DEFAULT_HEADERS)),
        virtual_roots=settings.get("virtual_roots", ""))
