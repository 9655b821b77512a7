"""nginx in front of ``cupola serve``, mounting the site at ``/cms``.

The nginx configuration is the one docs/deploy.md shows (without TLS): it
strips ``/cms`` and sends ``X-Forwarded-*`` headers; production.ini's proxy
filter trusts 127.0.0.1 for them. Every link of the pages an admin sees
must lead back through nginx under ``/cms``; a spoofed ``X-Forwarded-For``
must not reach the access log.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from servers import (Browser, Server, clean_env, free_port, nginx_conf, production_ini,
                     script, system_binary, wait_for)

pytestmark = pytest.mark.slow

# the server blocks; nginx_conf() wraps them
NGINX_CONF = """\
    server {{
        listen 127.0.0.1:{port};
        location /cms/ {{
            proxy_pass http://127.0.0.1:{app_port}/;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Forwarded-Prefix /cms;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name press.example.org;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
        }}
    }}
"""
LINK = re.compile(r'\b(?:href|src|action)="([^"]*)"')


@pytest.fixture
def behind_nginx(tmp_path):
    ini = production_ini(tmp_path, "file://%(here)s/var/Data.fs")
    text = ini.read_text().replace(
        "trusted_headers = x-forwarded-for x-forwarded-proto x-forwarded-host x-forwarded-port",
        "trusted_headers = x-forwarded-for x-forwarded-proto x-forwarded-host "
        "x-forwarded-port x-forwarded-prefix\nvirtual_roots = press.example.org /news")
    assert "x-forwarded-prefix" in text, "production.ini's proxy filter changed"
    ini.write_text(text)
    app_port, port = free_port(), free_port()
    app = Server([script("cupola"), "serve", "--config", ini, "--port", app_port],
                 cwd=tmp_path, port=app_port, env=clean_env(), log_name="cupola.log")
    web = tmp_path / "nginx"
    web.mkdir()
    conf = nginx_conf(web, NGINX_CONF.format(port=port, app_port=app_port))
    nginx = None
    try:
        app.wait_until_listening()
        nginx = Server([system_binary("nginx", "nginx"), "-p", web, "-e",
                        web / "nginx-error.log", "-c", conf], cwd=web, port=port,
                       log_name="nginx.log")
        nginx.wait_until_listening()
        yield port, tmp_path
    finally:
        if nginx is not None:
            nginx.stop()
        app.stop()


def test_admin_pages_link_under_the_prefix_through_nginx(behind_nginx):
    port, folder = behind_nginx
    base = f"http://127.0.0.1:{port}/cms"
    browser = Browser(port, prefix="/cms")
    browser.sign_in()
    seen, problems = set(), []
    queue = ["/cms/", "/cms/@@contents", "/cms/news/@@contents", "/cms/welcome/@@edit",
             "/cms/news/++add++Document", "/cms/@@users", "/cms/@@settings"]
    while queue and len(seen) < 40:
        path = queue.pop(0)
        if path in seen or "logout" in path:
            continue
        seen.add(path)
        status, headers, body = browser.get(path)
        if status in (301, 302, 303):
            location = headers["Location"]
            if not location.startswith(base + "/"):
                problems.append(f"{path}: redirects to {location}")
            continue
        if status != 200:
            problems.append(f"{path}: {status}")
            continue
        if "html" not in headers.get("Content-Type", ""):
            continue
        for raw in LINK.findall(body.decode("utf-8")):
            raw = raw.replace("&amp;", "&")
            if raw.startswith(("#", "mailto:", "data:")) or not raw:
                continue
            absolute = urljoin(base + path, raw)
            parts = urlsplit(absolute)
            if parts.netloc != f"127.0.0.1:{port}":
                continue  # a link to another site
            if not absolute.startswith(base + "/"):
                problems.append(f"{path}: {raw}")
            elif "++resource++" not in absolute:
                queue.append(parts.path + ("?" + parts.query if parts.query else ""))
    assert len(seen) >= 30, seen
    assert not problems, "\n".join(problems[:30])


def test_sign_in_returns_to_the_page_under_the_prefix(behind_nginx):
    port, folder = behind_nginx
    browser = Browser(port, prefix="/cms")
    status, headers, body = browser.get("/cms/news/@@contents")
    assert status == 303
    assert headers["Location"] == (f"http://127.0.0.1:{port}/cms/@@login"
                                   "?came_from=%2Fcms%2Fnews%2F%40%40contents")


def test_spoofed_forwarded_for_does_not_reach_the_log(behind_nginx):
    port, folder = behind_nginx
    browser = Browser(port, prefix="/cms")
    status, _, _ = browser.get("/cms/welcome", headers={"X-Forwarded-For": "6.6.6.6",
                                                        "User-Agent": "spoof-check"})
    assert status == 200
    # the line is written when the server has sent the body: nginx may hand
    # the response over a moment before that, so wait for it
    path = folder / "var" / "log" / "access.log"

    def logged():
        lines = path.read_text().splitlines() if path.exists() else []
        return next((li for li in lines if "spoof-check" in li), None)

    line = wait_for(logged, timeout=10, what="the access log line of the request")
    assert line.startswith("127.0.0.1 - - [")
    assert '"GET /cms/welcome HTTP/1.0" 200' in line or '"GET /cms/welcome HTTP/1.1" 200' in line
    assert "6.6.6.6" not in line


def test_a_host_showing_one_folder_through_nginx(behind_nginx):
    """``virtual_roots = press.example.org /news``: that host's "/" is /news."""
    port, folder = behind_nginx
    browser = Browser(port)
    host = {"Host": "press.example.org"}
    status, headers, body = browser.get("/", headers=host)
    assert status == 200, body[:1000]
    page = body.decode("utf-8")
    base = f"http://press.example.org:{port}"
    links = [urljoin(base + "/", raw.replace("&amp;", "&")) for raw in LINK.findall(page)]
    ours = [u for u in links if urlsplit(u).netloc == f"press.example.org:{port}"]
    assert ours, page[:2000]
    assert not [u for u in ours if urlsplit(u).path.startswith("/news")], ours
    status, _, _ = browser.get("/welcome", headers=host)  # outside the folder
    assert status == 404
    status, _, body = browser.get("/cms/news", headers={})  # the whole site elsewhere
    assert status == 200
