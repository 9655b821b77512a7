"""The older gateways, started for real: FastCGI (flup) behind nginx, CGI
(wsgiref's CGIHandler) behind lighttpd's mod_cgi.

The scripts are the ones docs/deploy.md shows, with this test's paths. Each
gateway serves a page, signs in, takes an upload and gives it back; the
FastCGI process is killed and started again behind a running nginx, and
the session from before still works.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from servers import (Browser, Server, clean_env, exercise, free_port, nginx_conf,
                     production_ini, script, system_binary, wait_for,
                     wait_for_port)

pytestmark = pytest.mark.slow

PYTHON = sys.executable

FCGI_SCRIPT = """\
#!{python}
import os
os.environ.setdefault("CUPOLA_CONFIG", "{ini}")
from cupola.wsgi import run_fcgi
run_fcgi("127.0.0.1:{port}")
"""

CGI_SCRIPT = """\
#!{python}
import os
os.environ.setdefault("CUPOLA_CONFIG", "{ini}")
from cupola.wsgi import run_cgi
run_cgi()
"""

# the server blocks; nginx_conf() wraps them
NGINX_CONF = """\
    server {{
        listen 127.0.0.1:{port};
        location / {{
            fastcgi_pass {upstream};
            fastcgi_param REQUEST_METHOD $request_method;
            fastcgi_param QUERY_STRING $query_string;
            fastcgi_param CONTENT_TYPE $content_type;
            fastcgi_param CONTENT_LENGTH $content_length;
            fastcgi_param SCRIPT_NAME "";
            fastcgi_param PATH_INFO $uri;
            fastcgi_param REQUEST_URI $request_uri;
            fastcgi_param SERVER_PROTOCOL $server_protocol;
            fastcgi_param REQUEST_SCHEME $scheme;
            fastcgi_param HTTPS $https if_not_empty;
            fastcgi_param SERVER_NAME $server_name;
            fastcgi_param SERVER_PORT $server_port;
            fastcgi_param REMOTE_ADDR $remote_addr;
        }}
    }}
"""

LIGHTTPD_CONF = """\
server.modules = ("mod_alias", "mod_cgi")
server.bind = "127.0.0.1"
server.port = {port}
server.document-root = "{d}/htdocs"
server.errorlog = "{d}/lighttpd-error.log"
server.breakagelog = "{d}/cgi-error.log"
server.upload-dirs = ("{d}/uploads")
server.max-request-size = 307200
alias.url = ("/" => "{d}/cgi-bin/cupola.cgi/")
cgi.assign = (".cgi" => "")
"""


def write_script(path, template, **values):
    path.write_text(template.format(python=PYTHON, **values))
    path.chmod(0o755)
    return path


def init_site(ini, cwd):
    """``cupola init`` with the admin password, as an operator would."""
    done = subprocess.run([script("cupola"), "init", "--config", str(ini)],
                          cwd=cwd, env=clean_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def fastcgi(tmp_path, zeo):
    """``cupola.fcgi`` on a ZEO database, and nginx in front of it."""
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    init_site(ini, tmp_path)
    fcgi_port, port = free_port(), free_port()
    fcgi = write_script(tmp_path / "cupola.fcgi", FCGI_SCRIPT, ini=ini, port=fcgi_port)
    web = tmp_path / "nginx"
    web.mkdir()
    conf = nginx_conf(web, NGINX_CONF.format(port=port, upstream=f"127.0.0.1:{fcgi_port}"))
    processes = []

    def start_fcgi():
        server = Server([fcgi], cwd=tmp_path, port=fcgi_port,
                        log_name=f"fcgi-{len(processes)}.log")
        processes.append(server)
        server.wait_until_listening()
        return server

    start_fcgi()
    nginx = Server([system_binary("nginx", "nginx"), "-p", web, "-e",
                    web / "nginx-error.log", "-c", conf], cwd=web, port=port,
                   log_name="nginx.log")
    processes.append(nginx)
    nginx.wait_until_listening()
    yield port, start_fcgi, processes
    for process in reversed(processes):
        process.stop()


def test_fastcgi_behind_nginx_serves_signs_in_and_uploads(fastcgi):
    port, start_fcgi, processes = fastcgi
    browser = Browser(port)
    path, data = exercise(browser, "fastcgi")
    status, headers, body = browser.get("/no-such-page")
    assert status == 404 and b"Traceback" not in body
    # The FastCGI process dies; nginx answers 502 until it is back.
    fcgi = processes[0]
    os.kill(fcgi.pid, signal.SIGKILL)
    fcgi.proc.wait(timeout=10)
    assert browser.get("/")[0] == 502
    fcgi = start_fcgi()
    assert browser.is_signed_in(), "the session from before was lost"
    assert browser.download(path) == data
    # SIGTERM (a service manager's stop) ends it cleanly.
    os.kill(fcgi.pid, signal.SIGTERM)
    assert fcgi.proc.wait(timeout=20) == 0
    assert "Traceback" not in fcgi.output()


def unix_socket_answers(path):
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(path))
        return True
    except OSError:
        return False


def test_cupola_fcgi_on_a_unix_socket_behind_nginx(tmp_path, zeo):
    """``cupola fcgi --config production.ini --bind /path/fcgi.sock``."""
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    init_site(ini, tmp_path)
    sock = tmp_path / "fcgi.sock"
    web = tmp_path / "nginx"
    web.mkdir()
    port = free_port()
    conf = nginx_conf(web, NGINX_CONF.format(port=port, upstream=f"unix:{sock}"))
    fcgi = Server([script("cupola"), "fcgi", "--config", ini, "--bind", sock,
                   "--umask", "077"], cwd=tmp_path, port=None, log_name="fcgi.log")
    nginx = None
    try:
        wait_for(lambda: fcgi.proc.poll() is not None or unix_socket_answers(sock),
                 what="the FastCGI socket")
        assert fcgi.proc.poll() is None, fcgi.output()
        assert sock.stat().st_mode & 0o777 == 0o700  # --umask 077
        nginx = Server([system_binary("nginx", "nginx"), "-p", web, "-e",
                        web / "nginx-error.log", "-c", conf], cwd=web, port=port,
                       log_name="nginx.log")
        nginx.wait_until_listening()
        exercise(Browser(port), "unix-socket")
        assert f"Cupola is serving FastCGI on {sock}" in fcgi.output()
    finally:
        for process in (nginx, fcgi):
            if process is not None:
                process.stop()


@pytest.fixture
def cgi(tmp_path):
    """``cupola.cgi`` (FileStorage) as the whole site of a lighttpd."""
    ini = production_ini(tmp_path)
    init_site(ini, tmp_path)
    web = tmp_path / "lighttpd"
    for name in ("htdocs", "uploads", "cgi-bin"):
        (web / name).mkdir(parents=True)
    write_script(web / "cgi-bin" / "cupola.cgi", CGI_SCRIPT, ini=ini)
    port = free_port()
    conf = web / "lighttpd.conf"
    conf.write_text(LIGHTTPD_CONF.format(d=web, port=port))
    server = Server([system_binary("lighttpd", "lighttpd"), "-D", "-f", conf],
                    cwd=web, port=port, log_name="lighttpd.log")
    server.wait_until_listening()
    yield port, web, ini
    server.stop()


def test_cgi_behind_lighttpd_serves_signs_in_and_uploads(cgi):
    port, web, ini = cgi
    browser = Browser(port)
    path, data = exercise(browser, "cgi")
    status, headers, body = browser.get("/no-such-page")
    assert status == 404 and b"Traceback" not in body
    assert (Path(ini).parent / "var" / "Data.fs").exists()

    # Requests at once: each is a process, and a FileStorage admits one
    # at a time, so they wait for the lock in turn.
    results = []

    def fetch():
        results.append(Browser(port).get("/welcome")[0])

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [200] * 4, (web / "cgi-error.log").read_text()


def test_cgi_with_a_broken_configuration_answers_500_without_details(tmp_path):
    """A missing .ini: the visitor sees a plain 500, the log has the cause."""
    port = free_port()
    web = tmp_path / "lighttpd"
    for name in ("htdocs", "uploads", "cgi-bin"):
        (web / name).mkdir(parents=True)
    write_script(web / "cgi-bin" / "cupola.cgi", CGI_SCRIPT, ini=tmp_path / "missing.ini")
    conf = web / "lighttpd.conf"
    conf.write_text(LIGHTTPD_CONF.format(d=web, port=port))
    server = Server([system_binary("lighttpd", "lighttpd"), "-D", "-f", conf],
                    cwd=web, port=port, log_name="lighttpd.log")
    try:
        wait_for_port(port, proc=server.proc, output=server.output)
        status, headers, body = Browser(port).get("/")
        assert status == 500
        assert b"Traceback" not in body and b"missing.ini" not in body
    finally:
        server.stop()
    log = (web / "cgi-error.log").read_text()
    assert "cupola: the site cannot start:" in log and "missing.ini" in log
    assert "Traceback" not in log
