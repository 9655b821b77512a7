"""Virtual hosting: every link a page, feed, redirect or JSON answer holds
points under the address the client used (host, scheme and path prefix).

A crawler signs in as admin behind a trusted proxy that mounts the site at
``https://www.example.org/cms``, follows every link it finds on the site's
own pages, and checks each ``href``, ``src``, ``action`` and ``Location``.
"""

import json
import re
from collections import deque
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from webtest import TestApp

from conftest import ADMIN_PASSWORD, build_app, csrf_from
from cupola.wsgi_middleware.gzip import GzipMiddleware
from cupola.wsgi_middleware.proxy import ProxyMiddleware

ORIGIN = "https://www.example.org"
PREFIX = "/cms"
BASE = ORIGIN + PREFIX
ATTRS = re.compile(r'\b(href|src|action|formaction|data-[a-z-]*url|data-action)'
                   r'\s*=\s*"([^"]*)"', re.I)
FOLLOWED = ("href", "src")  # the others are form targets: checked, not fetched
# attribute values that are not addresses of this site
FOREIGN = ("#", "mailto:", "data:", "javascript:void", "tel:")
SKIP_PATHS = ("@@logout", "@@delete", "@@trash-purge", "@@empty")
MAX_PAGES = 160


def nginx_like(app, headers):
    """What ``location /cms/ { proxy_pass http://app/; ... }`` does: strip
    the prefix and say what the client asked for in headers."""
    def proxy(environ, start_response):
        path = environ["PATH_INFO"]
        if path == PREFIX or path.startswith(PREFIX + "/"):
            environ["PATH_INFO"] = path[len(PREFIX):] or "/"
            for name, value in headers.items():
                environ["HTTP_" + name.upper().replace("-", "_")] = value
        return app(environ, start_response)
    return proxy


def proxied_client(app, headers):
    wrapped = ProxyMiddleware(GzipMiddleware(app), trusted_proxies="127.0.0.1",
                              trusted_headers="x-forwarded-for x-forwarded-proto "
                                              "x-forwarded-host x-forwarded-prefix")
    # the client's own view: https://www.example.org/cms/..., so that
    # WebTest's cookie jar applies the cookies' Secure flag and Path
    return TestApp(nginx_like(wrapped, headers),
                   extra_environ={"REMOTE_ADDR": "127.0.0.1",
                                  "HTTP_HOST": "www.example.org",
                                  "wsgi.url_scheme": "https"})


PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "www.example.org",
         "X-Forwarded-Prefix": PREFIX, "X-Forwarded-For": "203.0.113.7"}


def fetch(client, url, method="GET", params=None, **kw):
    """Request *url* as the client saw it, through the nginx-like proxy."""
    parts = urlsplit(url)
    assert url.startswith(BASE + "/") or url == BASE, url
    path = parts.path + ("?" + parts.query if parts.query else "")
    if method == "GET":
        return client.get(path, **kw)
    return client.post(path, params, **kw)


def links_in(text, page_url):
    found = []
    for attr, value in ATTRS.findall(text):
        value = value.replace("&amp;", "&")
        if not value or value.startswith(FOREIGN):
            continue
        found.append((value, urljoin(page_url, value), attr.lower() in FOLLOWED))
    return found


def check_link(raw, absolute, page_url, problems):
    parts = urlsplit(absolute)
    if parts.scheme in ("http", "https") and parts.netloc != "www.example.org":
        return  # another site (an editor's link, a CDN): not ours to check
    if not absolute.startswith(BASE + "/") and absolute != BASE:
        problems.append(f"{page_url}: {raw!r} leaves the site prefix")
    if raw.startswith("/") and not raw.startswith(PREFIX + "/"):
        problems.append(f"{page_url}: {raw!r} is rooted outside {PREFIX}")
    if raw.startswith("http://"):
        problems.append(f"{page_url}: {raw!r} is not https")


@pytest.fixture
def site_app(site_of):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    from conftest import publish
    app = build_app()
    with site_of(app) as site:
        news = publish(site.add("press", Folder("Press")))
        publish(news.add("launch", Document("Launch", "We launched", "<p>Read on</p>")))
        publish(news.add("second", Document("Second", "More news")))
    yield app
    app.db.close()


def sign_in_proxied(client):
    page = fetch(client, BASE + "/@@login")
    login_links = links_in(page.text, BASE + "/@@login")
    assert login_links, "the login page has no links"
    answer = fetch(client, BASE + "/@@login", "POST", {
        "_csrf": csrf_from(page), "login": "admin", "password": ADMIN_PASSWORD,
        "came_from": PREFIX + "/press"})
    assert answer.status_int == 303
    assert answer.headers["Location"] == BASE + "/press"
    return answer


def crawl(client, start_urls):
    problems, seen, queue = [], set(), deque(start_urls)
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft().split("#")[0]
        if url in seen or any(s in url for s in SKIP_PATHS):
            continue
        seen.add(url)
        response = fetch(client, url, status="*")
        pages += 1
        if response.status_int in (301, 302, 303, 307):
            location = response.headers["Location"]
            check_link(location, urljoin(url, location), url, problems)
            queue.append(urljoin(url, location))
            continue
        if response.status_int >= 400:
            problems.append(f"{url}: answered {response.status_int}")
            continue
        ctype = response.content_type or ""
        if "html" in ctype or "xml" in ctype:
            for raw, absolute, follow in links_in(response.text, url):
                check_link(raw, absolute, url, problems)
                if follow and absolute.startswith(BASE) and "++resource++" not in absolute:
                    queue.append(absolute)
            if "xml" in ctype:
                for loc in re.findall(r"<(?:loc|link|id)>([^<]+)</", response.text):
                    check_link(loc, loc, url, problems)
    return problems, pages


def test_every_link_of_the_admin_ui_stays_under_host_and_prefix(site_app):
    client = proxied_client(site_app, PROXY)
    sign_in_proxied(client)
    problems, pages = crawl(client, [BASE + "/", BASE + "/@@contents", BASE + "/press/@@contents",
                                     BASE + "/press/launch/@@edit", BASE + "/@@users",
                                     BASE + "/@@settings", BASE + "/press/++add++Document",
                                     BASE + "/@@search?q=launch", BASE + "/@@account"])
    assert pages > 40, f"the crawl reached only {pages} pages"
    assert not problems, "\n".join(problems[:40])


def test_anonymous_pages_feeds_and_sitemap(site_app):
    client = proxied_client(site_app, PROXY)
    problems, pages = crawl(client, [BASE + "/", BASE + "/press/launch",
                                     BASE + "/press/feed.xml", BASE + "/sitemap.xml",
                                     BASE + "/press/@@atom"])
    assert pages > 8
    assert not problems, "\n".join(problems[:40])
    sitemap = fetch(client, BASE + "/sitemap.xml").text
    assert f"<loc>{BASE}/press/launch</loc>" in sitemap


def test_protected_page_sends_to_login_under_the_prefix(site_app):
    client = proxied_client(site_app, PROXY)
    answer = fetch(client, BASE + "/press/@@contents", status=303)
    location = answer.headers["Location"]
    assert location.startswith(BASE + "/@@login?came_from=")
    came_from = unquote(location.split("came_from=", 1)[1])
    assert came_from == PREFIX + "/press/@@contents"


def test_redirect_after_post_stays_under_the_prefix(site_app):
    client = proxied_client(site_app, PROXY)
    sign_in_proxied(client)
    form = fetch(client, BASE + "/press/++add++Document")
    action = next(a for raw, a, follow in links_in(form.text, BASE + "/press/++add++Document")
                  if not follow and "++add++" in a)
    assert action.startswith(BASE + "/press/")
    answer = fetch(client, action, "POST", {"_csrf": csrf_from(form), "_action": "save",
                                            "title": "Third", "description": "x"}, status="*")
    assert answer.status_int == 303, answer.text[:1000]
    assert answer.headers["Location"].startswith(BASE + "/press/")


def test_json_answers_carry_prefixed_urls(site_app):
    """The add form answers the uploading script with JSON ``{"location"}``."""
    client = proxied_client(site_app, PROXY)
    sign_in_proxied(client)
    form = fetch(client, BASE + "/press/++add++Document")
    answer = fetch(client, BASE + "/press/++add++Document", "POST",
                   {"_csrf": csrf_from(form), "_action": "save", "title": "Fourth"},
                   headers={"X-Cupola-Upload": "1"})
    assert answer.content_type == "application/json"
    assert answer.json["location"].startswith(BASE + "/press/")


def test_script_name_from_the_server_mount(site_app):
    """mod_wsgi's ``WSGIScriptAlias /cms`` or a server mount: no proxy at all."""
    client = TestApp(site_app, extra_environ={"SCRIPT_NAME": "/cms",
                                              "HTTP_HOST": "intranet.local"})
    page = client.get("/press/launch")
    for raw, absolute, _ in links_in(page.text, "http://intranet.local/cms/press/launch"):
        if urlsplit(absolute).netloc == "intranet.local":
            assert absolute.startswith("http://intranet.local/cms/"), raw


def test_untrusted_peer_cannot_move_the_links(site_app):
    client = proxied_client(site_app, PROXY)
    page = client.get("/press/launch", headers=PROXY,
                      extra_environ={"REMOTE_ADDR": "192.0.2.66", "wsgi.url_scheme": "http",
                                     "HTTP_HOST": "127.0.0.1:8080"})
    assert "www.example.org" not in page.text
    assert 'href="http://127.0.0.1:8080/press"' in page.text


def test_cookies_are_kept_to_the_prefix(site_app):
    client = proxied_client(site_app, PROXY)
    answer = sign_in_proxied(client)
    cookies = answer.headers.getall("Set-Cookie")
    assert cookies and all("Path=/cms;" in c or c.endswith("Path=/cms") for c in cookies), cookies
    # and the browser, sending them only below /cms, stays signed in there
    assert fetch(client, BASE + "/press/@@contents").status_int == 200


def test_cookies_follow_a_server_mount_too(site_app):
    client = TestApp(site_app, extra_environ={"SCRIPT_NAME": "/cms",
                                              "HTTP_HOST": "intranet.local"})
    login = client.get("/@@login")
    assert all("Path=/cms" in c for c in login.headers.getall("Set-Cookie"))
    answer = client.post("/@@login", {"_csrf": csrf_from(login), "login": "admin",
                                      "password": ADMIN_PASSWORD, "came_from": "/cms/press"})
    assert answer.headers["Location"] == "http://intranet.local/cms/press"
    assert client.get("/press/@@contents").status_int == 200


def test_cookies_at_the_root_keep_path_slash(testapp):
    login = testapp.get("/@@login")
    assert all("Path=/;" in c or c.endswith("Path=/") for c in login.headers.getall("Set-Cookie"))
