"""Helpers for tests that start real servers: ports, processes, a browser.

Shared by the tests in ``tests/deploy``: ``free_port()``, ``script()``,
``Server`` (a process group with its log, stopped in teardown), ``Browser``
(cookies, sign-in, file upload, spoken over plain ``http.client``), and
``start_zeo()`` (a ``runzeo`` on a free port with a FileStorage in a
folder of the test's).
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

PASSWORD = "deploy-test-pw-1"
START_TIMEOUT = 60
REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script(name):
    """A console script of the environment running the tests."""
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (make test installs it)")
    return found


def gunicorn_options():
    """Options every test's gunicorn takes: no control socket (gunicorn 25.1+).

    By default each gunicorn of a user listens on ~/.gunicorn/gunicorn.ctl,
    one path for all of them: tests running at once would take it from
    each other.
    """
    from importlib.metadata import version
    major, minor = (int(x) for x in version("gunicorn").split(".")[:2])
    return ["--no-control-socket"] if (major, minor) >= (25, 1) else []


def system_binary(name, package):
    """A program from a Debian package (``make deploy-deps`` installs them)."""
    for folder in ("/usr/sbin", "/usr/bin", "/sbin"):
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is missing: install Debian's {package} "
                    "(make deploy-deps)")
    return found


def clean_env(**extra):
    """The test's environment without CUPOLA_* settings, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUPOLA_")}
    env.update({"CUPOLA_ADMIN_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def wait_for_port(port, timeout=START_TIMEOUT, proc=None, output=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited with {proc.returncode}:\n"
                        + output())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on {port} within {timeout}s:\n" + output())


class Server:
    """A server process in its own session: its port, its output, requests."""

    def __init__(self, args, cwd, port, env=None, log_name="server.log"):
        self.port = port
        self.log_path = Path(cwd) / log_name
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(a) for a in args], cwd=cwd, env=env if env is not None else clean_env(),
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_until_listening(self, timeout=START_TIMEOUT):
        wait_for_port(self.port, timeout, self.proc, self.output)

    def request(self, method, path, body=None, headers=None):
        """One request: (status, headers, body bytes); no redirect followed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Workers a server left behind in its group (a killed master's).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


def children(pid):
    """Pids of the live child processes of *pid* (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return sorted(found)


NGINX_HEAD = """\
daemon off;
user root root;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {d}/nginx-access.log;
    client_body_temp_path {d}/body;
    fastcgi_temp_path {d}/fastcgi;
    proxy_temp_path {d}/proxy;
    scgi_temp_path {d}/scgi;
    uwsgi_temp_path {d}/uwsgi;
    client_max_body_size 300m;
"""


def nginx_conf(folder, servers):
    """Write *folder*/nginx.conf: every path of nginx's under *folder*, and the
    ``server { ... }`` blocks *servers* inside ``http``; return its path."""
    path = folder / "nginx.conf"
    path.write_text(NGINX_HEAD.format(d=folder) + servers + "}\n")
    return path


def wait_for(predicate, timeout=60, what="a condition"):
    """Poll *predicate* until it returns something true; fail after *timeout*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def cookies_of(headers):
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return jar


def csrf_field(html):
    match = re.search(r'name="_csrf"\s+value="([^"]+)"', html)
    assert match, "no hidden _csrf field in the page:\n" + html[:2000]
    return match.group(1)


def multipart(fields, files):
    """(body, content type) of a multipart/form-data request."""
    boundary = "cupola-" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                     f'name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data, content_type in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                     f'name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A cookie-keeping HTTP client for one server, as a person's browser.

    *prefix* is where the site is mounted (a CGI script's path, say).
    """

    def __init__(self, port, prefix=""):
        self.port, self.prefix = port, prefix
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not path.startswith(self.prefix + "/"):
            path = self.prefix + path
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for name, morsel in cookies_of(response.headers).items():
            if morsel.value:
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        return response.status, response.headers, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def page(self, path):
        """GET *path*, expecting a 200 HTML page; returns its text."""
        status, headers, body = self.get(path)
        assert status == 200, (path, status, body[:2000])
        return body.decode("utf-8")

    def sign_in(self, login="admin", password=PASSWORD):
        form = urlencode({"_csrf": csrf_field(self.page("/@@login")),
                          "login": login, "password": password, "came_from": "/"})
        status, headers, body = self.request(
            "POST", "/@@login", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303, (status, body[:2000])
        assert self.cookies.get("cupola_session"), "no session cookie"

    def is_signed_in(self):
        """True when the add form of a File shows (it needs an editor)."""
        status, headers, body = self.get("/news/++add++File")
        return status == 200 and b'name="file"' in body

    def upload(self, filename, data, content_type="application/octet-stream",
               folder="/news"):
        """Add a File through the admin form; returns the new object's path."""
        form = self.page(f"{folder}/++add++File")
        body, ctype = multipart(
            [("_csrf", csrf_field(form)), ("_action", "save"), ("title", filename)],
            [("file", filename, data, content_type)])
        status, headers, answer = self.request(
            "POST", f"{folder}/++add++File", body=body,
            headers={"Content-Type": ctype})
        assert status == 303, (status, answer[:2000])
        return urlsplit(headers["Location"]).path

    def download(self, path):
        status, headers, body = self.get(path.rstrip("/") + "/@@download")
        assert status == 200, (status, body[:2000])
        return body


def exercise(browser, label="report"):
    """Serve a page, sign in, upload a file and read it back (the common check)."""
    page = browser.page("/")
    assert "Cupola" in page
    browser.sign_in()
    assert browser.is_signed_in()
    data = (f"{label} {uuid.uuid4().hex}\n".encode() * 2000)  # ~80 KB
    path = browser.upload(f"{label}.txt", data, "text/plain")
    assert browser.download(path) == data
    return path, data


def production_ini(folder, zodb_uri=None, name="production.ini"):
    """The shipped production.ini in *folder*, optionally on another database."""
    text = (REPO / "production.ini").read_text()
    if zodb_uri:
        text, count = re.subn(r"(?m)^zodb_uri = .*$",
                              "zodb_uri = " + zodb_uri.replace("%", "%%"), text)
        assert count == 1, "production.ini has no zodb_uri line"
    path = Path(folder) / name
    path.write_text(text)
    return path


class Zeo:
    """A runzeo process serving a FileStorage in *folder* on a free port."""

    def __init__(self, folder):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        conf = folder / "zeo.conf"
        conf.write_text(f"<zeo>\n  address 127.0.0.1:{self.port}\n</zeo>\n"
                        f"<filestorage>\n  path {folder / 'Data.fs'}\n"
                        f"  blob-dir {folder / 'blobs'}\n</filestorage>\n")
        self.server = Server([script("runzeo"), "-C", conf], cwd=folder,
                             port=self.port, log_name="zeo.log")
        self.server.wait_until_listening(30)

    def uri(self, blob_cache):
        """A zeo:// URI with a private blob cache for one app process."""
        return (f"zeo://127.0.0.1:{self.port}?blob_dir={blob_cache}"
                "&shared_blob_dir=false")

    def stop(self):
        self.server.stop()


@pytest.fixture
def zeo(tmp_path):
    server = Zeo(tmp_path / "zeo")
    yield server
    server.stop()


@pytest.fixture
def start(tmp_path):
    """start(args, port, env=None, cwd=tmp_path): a listening Server, stopped after."""
    servers = []

    def start(args, port, env=None, cwd=None, timeout=START_TIMEOUT):
        server = Server(args, cwd=cwd or tmp_path, port=port, env=env,
                        log_name=f"server-{len(servers)}.log")
        servers.append(server)
        server.wait_until_listening(timeout)
        return server

    yield start
    for server in reversed(servers):
        server.stop()
