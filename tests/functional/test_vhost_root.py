"""A folder mounted as the root of a host name (the proxy filter's
``virtual_roots``): ``https://press.example.org/launch`` is ``/press/launch``.

The crawler signs in on that host and follows every link it finds: each one
must stay on the host, never name ``/press`` again, and answer.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from webtest import TestApp

from conftest import ADMIN_PASSWORD, build_app, csrf_from, publish
from cupola.wsgi_middleware.proxy import (ProxyConfigError, ProxyMiddleware,
                                          parse_virtual_roots)

HOST = "press.example.org"
BASE = f"https://{HOST}"
LINK = re.compile(r'\b(href|src|action)\s*=\s*"([^"]*)"')
SKIP = ("@@logout", "@@delete", "@@trash-purge")


@pytest.fixture
def mounted(site_of):
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    app = build_app()
    with site_of(app) as site:
        press = publish(site.add("press", Folder("Press room")))
        publish(press.add("launch", Document("Launch", "We launched")))
        releases = publish(press.add("releases", Folder("Releases")))
        publish(releases.add("first", Document("First release", "One")))
    wrapped = ProxyMiddleware(app, trusted_proxies="127.0.0.1",
                              trusted_headers="x-forwarded-proto x-forwarded-host",
                              virtual_roots=f"{HOST} /press")
    client = TestApp(wrapped, extra_environ={"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": HOST,
                                             "wsgi.url_scheme": "https"})
    yield client
    app.db.close()


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def sign_in(client):
    form = client.get("/@@login")
    answer = client.post("/@@login", {"_csrf": csrf_from(form), "login": "admin",
                                      "password": ADMIN_PASSWORD, "came_from": "/releases"})
    assert answer.headers["Location"] == BASE + "/releases"


def crawl(client, starts):
    queue, seen, problems = deque(BASE + s for s in starts), set(), []
    while queue and len(seen) < 120:
        url = queue.popleft().split("#")[0]
        if url in seen or any(s in url for s in SKIP):
            continue
        seen.add(url)
        response = client.get(path_of(url), status="*")
        if response.status_int in (302, 303):
            queue.append(urljoin(url, response.headers["Location"]))
            continue
        if response.status_int >= 400:
            problems.append(f"{url}: {response.status_int}")
            continue
        if "html" not in response.content_type and "xml" not in response.content_type:
            continue
        links = [(a, v) for a, v in LINK.findall(response.text)]
        links += [("loc", v) for v in re.findall(r"<(?:loc|link)>([^<]+)</", response.text)]
        for attr, raw in links:
            raw = raw.replace("&amp;", "&")
            if not raw or raw.startswith(("#", "mailto:", "data:")):
                continue
            absolute = urljoin(url, raw)
            parts = urlsplit(absolute)
            if parts.netloc and parts.netloc != HOST:
                continue
            if parts.path.startswith("/press"):
                problems.append(f"{url}: {raw} names the mounted folder")
            if attr in ("href", "src", "loc") and "++resource++" not in absolute:
                queue.append(absolute)
    return problems, len(seen)


def test_pages_are_found_from_the_mounted_folder(mounted):
    page = mounted.get("/launch")
    assert "We launched" in page
    assert mounted.get("/releases/first").status_int == 200
    home = mounted.get("/")
    assert "Press room" in home


def test_content_outside_the_folder_is_not_reachable(mounted):
    mounted.get("/about", status=404)
    mounted.get("/press/launch", status=404)


def test_other_hosts_see_the_whole_site(mounted):
    page = mounted.get("/press/launch", extra_environ={"HTTP_HOST": "www.example.org"})
    assert "We launched" in page


def test_navigation_and_breadcrumbs_start_at_the_folder(mounted):
    page = mounted.get("/releases/first")
    nav = page.html.select("nav.site-nav a")
    assert [a["href"] for a in nav if "Releases" in a.text] == [BASE + "/releases"]
    crumbs = [a.text.strip() for a in page.html.select("nav.breadcrumbs li")]
    assert "Press room" not in crumbs[1:] and crumbs[-1] == "First release"


def test_anonymous_crawl_stays_on_the_host(mounted):
    problems, count = crawl(mounted, ["/", "/releases/feed.xml", "/sitemap.xml"])
    assert count >= 6
    assert not problems, "\n".join(problems)


def test_admin_crawl_stays_on_the_host(mounted):
    sign_in(mounted)
    problems, count = crawl(mounted, ["/", "/@@contents", "/releases/@@contents",
                                      "/launch/@@edit", "/++add++Document"])
    assert count >= 30
    assert not problems, "\n".join(problems[:30])


def test_sitemap_lists_only_the_folder(mounted):
    sitemap = mounted.get("/sitemap.xml").text
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert BASE + "/launch" in locs and BASE + "/releases/first" in locs
    assert not [loc for loc in locs if "/about" in loc or "/welcome" in loc], locs


def test_a_missing_folder_answers_404(mounted, site_of):
    app = mounted.app.app
    with site_of(app) as site:
        del site["press"]
    response = mounted.get("/", status=404)
    assert "Traceback" not in response.text


@pytest.mark.parametrize("value", ["press.example.org", "press.example.org news",
                                   "press.example.org /a/../b", "host:8080 /x"])
def test_bad_virtual_roots_setting(value):
    with pytest.raises(ProxyConfigError, match="virtual_roots"):
        parse_virtual_roots(value)


def test_virtual_roots_setting_reads_lines():
    assert parse_virtual_roots("\n  A.example.org /a/b\n  b.example.org /c\n") == {
        "a.example.org": ("a", "b"), "b.example.org": ("c",)}
