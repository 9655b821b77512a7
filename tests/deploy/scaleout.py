"""Real processes for the scale-out and fault tests: app servers, a ZEO
server, a private PostgreSQL cluster, and an HTTP client that signs in and
writes through the admin forms as a browser would.

Every process runs in its own session and is stopped by its own id; every
port comes from the OS; every wait is bounded.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PASSWORD = "scaleout-pw-1"
BIN = Path(sys.executable).parent
START_TIMEOUT = 120  # a loaded CI machine starts slowly


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    """Poll *predicate* until it is true; return its value, or raise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def die_with_parent(sig=signal.SIGTERM):
    """A preexec_fn: the child gets *sig* when the test process dies, so a
    killed test run leaves no server behind (Linux's PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # bound here: the child may not import

    def preexec():
        prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
    return preexec


def clean_env(extra=None):
    env = {**os.environ, "CUPOLA_ADMIN_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"}
    for name in ("CUPOLA_CONFIG", "CUPOLA_ZODB_URI", "CUPOLA_HOST", "CUPOLA_PORT",
                 "CUPOLA_THREADS", "CUPOLA_CHECK_BLOBS", "CUPOLA_ZEO_ADDRESS",
                 "CUPOLA_ZEO_STORAGE"):
        env.pop(name, None)
    env.update(extra or {})
    return env


class Process:
    """A child process in its own session, its output in a log file."""

    def __init__(self, args, cwd, log_name, env=None, **popen):
        self.args = args
        self.log_path = Path(cwd) / log_name
        self.log = open(self.log_path, "ab")
        popen.setdefault("preexec_fn", die_with_parent())
        self.proc = subprocess.Popen(args, cwd=cwd, env=clean_env(env), stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, **popen)

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_listening(self, port, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.args[:3]} exited with {self.proc.returncode}:\n"
                                     + self.output()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nothing listened on {port} within {timeout}s:\n"
                             + self.output()[-3000:])

    def wait_exit(self, timeout=START_TIMEOUT):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"{self.args[:3]} did not exit within {timeout}s")

    def kill9(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


# -- the app and its HTTP client --------------------------------------------------

class App(Process):
    """``cupola serve`` on *uri*, and a client that speaks to it."""

    def __init__(self, uri, cwd, name="app", threads=4, env=None, wait=True):
        self.port = free_port()
        self.name = name
        super().__init__([str(BIN / "cupola"), "serve", "--zodb-uri", uri,
                          "--port", str(self.port), "--threads", str(threads)],
                         cwd, f"{name}.log", env)
        self.cookie = None
        self.csrf = None
        if wait:
            self.wait_listening(self.port)

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def get(self, path, signed_in=False, **kw):
        headers = {"Cookie": self.cookie} if signed_in else {}
        return self.request("GET", path, headers=headers, **kw)

    def sign_in(self, password=PASSWORD):
        """Sign in as admin: the session cookie, and the CSRF token its forms carry."""
        status, headers, body = self.request("GET", "/@@login")
        jar = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            jar.load(value)
        csrf_cookie = jar["cupola_csrf"].value
        token = re.search(r'name="_csrf"\s+value="([^"]+)"', body.decode()).group(1)
        form = urlencode({"_csrf": token, "login": "admin", "password": password,
                          "came_from": "/"})
        status, headers, body = self.request(
            "POST", "/@@login", form,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": f"cupola_csrf={csrf_cookie}"})
        assert status == 303, (status, body[:500])
        for value in headers.get_all("Set-Cookie") or []:
            jar.load(value)
        self.cookie = (f"cupola_session={jar['cupola_session'].value}; "
                       f"cupola_csrf={csrf_cookie}")
        status, _, body = self.request("GET", "/news/++add++Document",
                                       headers={"Cookie": self.cookie})
        assert status == 200, status
        self.csrf = re.search(r'name="_csrf"\s+value="([^"]+)"', body.decode()).group(1)
        return self

    def post_form(self, path, fields, timeout=60):
        body = urlencode({"_csrf": self.csrf, **fields})
        return self.request("POST", path, body,
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "Cookie": self.cookie}, timeout=timeout)

    def add_document(self, folder, title, text="", name=None, timeout=60):
        """POST the add form ("Save & publish"); the status (303 when stored)."""
        fields = {"_action": "publish", "title": title, "text": text}
        if name:
            fields["_name"] = name
        return self.post_form(f"{folder}/++add++Document", fields, timeout)[0]

    def edit(self, path, title, text=""):
        return self.post_form(f"{path}/@@edit", {"_action": "save", "title": title,
                                                 "text": text})[0]

    def add_file(self, folder, name, data, filename="data.bin"):
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in (("_csrf", self.csrf), ("_action", "publish"),
                           ("title", name), ("_name", name)):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                         f'name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                     '\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        status, _, body = self.request(
            "POST", f"{folder}/++add++File", b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}",
             "Cookie": self.cookie})
        return status


def title_of(html):
    match = re.search(r"<h1[^>]*>([^<]*)</h1>", html.decode("utf-8", "replace"))
    return match.group(1).strip() if match else None


# -- database servers ---------------------------------------------------------------

class ZeoServer(Process):
    """``cupola zeo`` serving Data.fs in *folder* on a free port (kept across restarts)."""

    def __init__(self, folder, port=None):
        self.folder = Path(folder)
        self.port = port or free_port()
        super().__init__([str(BIN / "cupola"), "zeo", "--address", f"127.0.0.1:{self.port}",
                          "--zodb-uri", f"file://{self.folder}/Data.fs"],
                         self.folder, "zeo.log")
        self.wait_listening(self.port)

    def uri(self, client, wait_timeout=2):
        """The URI an app uses: its own blob cache under the server's folder."""
        return (f"zeo://127.0.0.1:{self.port}?blob_dir={self.folder}/cache-{client}"
                f"&wait_timeout={wait_timeout}")

    def restarted(self):
        return ZeoServer(self.folder, self.port)


def find_pg_bin():
    """The folder of initdb and postgres (Debian's layout), or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    return None


class Postgres:
    """A private cluster: initdb into a temporary folder, ``postgres`` on a free port.

    initdb refuses to run as root, so when the tests run as root the cluster
    belongs to the ``postgres`` system user (Debian's package creates it).
    """

    def __init__(self, bin_dir):
        self.bin = Path(bin_dir)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cupola-pg-"))
        self.data = self.root / "data"
        self.user = None
        if os.geteuid() == 0:
            import pwd
            self.user = pwd.getpwnam("postgres")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        done = subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "cupola",
             "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"],
            capture_output=True, text=True, timeout=120, **self._as_owner())
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
        self.proc = None
        self.start()

    def _as_owner(self):
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def start(self):
        log = open(self.root / "postgres.log", "ab")
        self.proc = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
             "-c", "fsync=off", "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent(signal.SIGINT),
            **self._as_owner())
        log.close()
        wait_for(self._accepts, 60, what="PostgreSQL to accept connections")

    def _accepts(self):
        if self.proc.poll() is not None:
            raise RuntimeError("postgres exited:\n"
                               + (self.root / "postgres.log").read_text()[-2000:])
        import psycopg2
        try:
            psycopg2.connect(host="127.0.0.1", port=self.port, user="cupola",
                             dbname="postgres", connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    def stop(self):
        """A fast shutdown (SIGINT): clients are disconnected at once."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def create_database(self):
        import psycopg2
        name = "cupola_" + secrets.token_hex(4)
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="cupola",
                                dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
        conn.close()
        return f"postgresql://cupola@127.0.0.1:{self.port}/{name}"

    def destroy(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
