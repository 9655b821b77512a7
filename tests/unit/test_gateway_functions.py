"""cupola.gateways and the start-up helpers of cupola.wsgi: CGI, FastCGI,
a FileStorage another process holds, processes creating a database at once."""

import os
import subprocess
import sys
import threading

import pytest
from ZODB.POSException import ConflictError, ReadConflictError


class TestParseBind:
    @pytest.mark.parametrize("bind, expected", [
        ("127.0.0.1:9000", ("127.0.0.1", 9000)),
        (":9000", ("127.0.0.1", 9000)),
        ("/run/cupola/fcgi.sock", "/run/cupola/fcgi.sock"),
        ("./fcgi.sock", "./fcgi.sock"),
    ])
    def test_addresses(self, bind, expected):
        from cupola.gateways import parse_bind
        assert parse_bind(bind) == expected

    @pytest.mark.parametrize("bind", ["9000", "localhost", "host:port", "host:"])
    def test_bad_addresses_name_the_option(self, bind):
        from cupola.gateways import parse_bind
        with pytest.raises(ValueError, match="host:port or a socket path"):
            parse_bind(bind)

    def test_ipv6_is_refused_with_a_reason(self):
        from cupola.gateways import parse_bind
        with pytest.raises(ValueError, match="IPv4 address or a Unix socket"):
            parse_bind("[::1]:9000")


def test_plain_error_is_short_text_with_a_length():
    from cupola.gateways import plain_error
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(plain_error(start_response, "503 Service Unavailable",
                                "Busy.", [("Retry-After", "5")]))
    assert body == b"Busy.\n"
    assert seen["status"] == "503 Service Unavailable"
    assert seen["headers"] == {"Content-Type": "text/plain; charset=utf-8",
                               "Content-Length": "6", "Retry-After": "5"}


class TestFindDb:
    def test_through_filters_and_the_lazy_application(self, app):
        from cupola.gateways import find_db
        from cupola.wsgi import _LazyApplication

        class Filter:
            def __init__(self, app):
                self.app = app

        lazy = _LazyApplication()
        lazy._app = Filter(Filter(app))
        assert find_db(lazy) is app.db

    def test_none_without_an_application(self):
        from cupola.gateways import find_db
        assert find_db(object()) is None


class TestTemplateCache:
    @pytest.fixture
    def chameleon(self, monkeypatch):
        import chameleon.config
        from chameleon.template import BaseTemplate
        monkeypatch.setattr(chameleon.config, "CACHE_DIRECTORY", None)
        monkeypatch.setattr(BaseTemplate, "loader", BaseTemplate.loader)
        return BaseTemplate

    def test_own_folder_is_created_private_and_used(self, chameleon, tmp_path):
        from cupola.gateways import use_template_cache
        folder = tmp_path / "templates"
        assert use_template_cache(str(folder)) == str(folder)
        assert folder.stat().st_mode & 0o777 == 0o700
        assert chameleon.loader.path == str(folder)

    def test_a_folder_others_may_write_is_refused(self, chameleon, tmp_path, caplog):
        from cupola.gateways import use_template_cache
        folder = tmp_path / "shared"
        folder.mkdir()
        folder.chmod(0o777)
        before = chameleon.loader
        assert use_template_cache(str(folder)) is None
        assert chameleon.loader is before
        assert "writable by no one else" in caplog.text

    def test_a_symbolic_link_is_refused(self, chameleon, tmp_path, caplog):
        from cupola.gateways import use_template_cache
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        link = tmp_path / "templates"
        link.symlink_to(target)
        before = chameleon.loader
        assert use_template_cache(str(link)) is None
        assert chameleon.loader is before
        assert "must be a folder of this user's" in caplog.text

    def test_chameleon_cache_wins(self, monkeypatch, tmp_path):
        import chameleon.config
        from cupola.gateways import use_template_cache
        monkeypatch.setattr(chameleon.config, "CACHE_DIRECTORY", str(tmp_path))
        assert use_template_cache(str(tmp_path / "other")) == str(tmp_path)
        assert not (tmp_path / "other").exists()


class TestWhenNoConflict:
    def test_tries_again_after_conflicts(self):
        from cupola.wsgi import when_no_conflict
        errors = [ConflictError(), ReadConflictError()]

        def func():
            if errors:
                raise errors.pop(0)
            return "made"

        assert when_no_conflict(func) == "made"
        assert errors == []

    def test_gives_up_after_the_attempts(self):
        from cupola.wsgi import when_no_conflict
        calls = []

        def func():
            calls.append(1)
            raise ConflictError()

        with pytest.raises(ConflictError):
            when_no_conflict(func, attempts=3)
        assert len(calls) == 3


HOLDER = """\
import sys
from cupola.db.storage import open_db
db = open_db(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
db.close()
"""


@pytest.fixture
def held_database(tmp_path):
    """A FileStorage another process holds until told to let go."""
    uri = f"file://{tmp_path}/Data.fs"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, uri], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == "open"
        yield uri, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@pytest.mark.slow
class TestOpenDatabase:
    def test_a_held_database_fails_at_once_by_default(self, held_database, monkeypatch):
        from cupola.db.storage import DatabaseLocked
        from cupola.wsgi import open_database
        monkeypatch.delenv("CUPOLA_LOCK_WAIT", raising=False)
        uri, holder = held_database
        with pytest.raises(DatabaseLocked, match=f"process {holder.pid}"):
            open_database(uri)

    def test_waits_until_the_other_process_lets_go(self, held_database):
        from cupola.wsgi import open_database
        uri, holder = held_database
        timer = threading.Timer(0.5, lambda: (holder.stdin.write("\n"),
                                              holder.stdin.flush()))
        timer.start()
        try:
            db = open_database(uri, lock_wait=60)
        finally:
            timer.join()
        try:
            assert holder.wait(timeout=30) == 0
        finally:
            db.close()


CGI = """\
from cupola.wsgi import run_cgi
run_cgi()
"""


def cgi_request(tmp_path, method="GET", path="/welcome", body=b"", **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CUPOLA_")}
    environ.update({"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
                    "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                    "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                    "CONTENT_LENGTH": str(len(body)),
                    "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "CUPOLA_ZODB_URI": f"file://{tmp_path}/Data.fs",
                    "CUPOLA_ADMIN_PASSWORD": "cgi-test-password-1"})
    environ.update(env)
    done = subprocess.run([sys.executable, "-c", CGI], input=body, env=environ,
                          cwd=tmp_path, capture_output=True, timeout=120)
    head, _, content = done.stdout.partition(b"\r\n\r\n")
    return done.returncode, head.decode("latin-1"), content, done.stderr.decode()


@pytest.mark.slow
class TestRunCgi:
    def test_answers_one_request(self, tmp_path):
        code, head, body, errors = cgi_request(tmp_path)
        assert code == 0, errors
        assert head.startswith("Status: 200 OK")
        assert b"Welcome to Cupola" in body

    def test_a_post_without_the_csrf_token_is_refused(self, tmp_path):
        code, head, body, errors = cgi_request(
            tmp_path, "POST", "/@@login", b"login=admin&password=x")
        assert code == 0, errors
        assert head.startswith("Status: 403"), head

    def test_a_database_still_locked_answers_503(self, held_database, tmp_path):
        uri, holder = held_database
        code, head, body, errors = cgi_request(
            tmp_path, CUPOLA_ZODB_URI=uri, CUPOLA_LOCK_WAIT="0.2")
        assert code == 0, errors
        assert head.startswith("Status: 503"), head
        assert "Retry-After: 5" in head
        assert body == b"The site is busy; try again in a moment.\n"
        assert f"in use by process {holder.pid}" in errors

    def test_the_database_index_is_saved_on_exit(self, tmp_path):
        code, head, body, errors = cgi_request(tmp_path)
        assert code == 0, errors
        assert (tmp_path / "Data.fs.index").exists()


FCGI = """\
import os
os.environ["CUPOLA_CONFIG"] = {ini!r}
from cupola.wsgi import run_fcgi
run_fcgi("127.0.0.1:1")
"""


@pytest.mark.slow
def test_run_fcgi_with_a_missing_configuration_exits_with_the_reason(tmp_path):
    ini = str(tmp_path / "missing.ini")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUPOLA_")}
    done = subprocess.run([sys.executable, "-c", FCGI.format(ini=ini)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("cupola: the site cannot start:"), done.stderr
    assert "missing.ini" in done.stderr and "Traceback" not in done.stderr

