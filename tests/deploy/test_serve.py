"""``cupola serve`` and gunicorn as real processes, spoken to over HTTP.

Only the standard library talks to the servers, as a browser or a proxy
would: no WSGI shortcuts.
"""

import os
import re
import shutil
import subprocess
from urllib.parse import urlencode

import pytest

from servers import (PASSWORD, REPO, clean_env, cookies_of, free_port,
                     gunicorn_options, script)

pytestmark = pytest.mark.slow


@pytest.fixture
def served(start, tmp_path):
    """``cupola serve`` on a free port with a database in tmp_path."""
    port = free_port()
    return start([script("cupola"), "serve", "--port", str(port),
                  "--zodb-uri", f"file://{tmp_path}/Data.fs"], port=port)


def test_serve_prints_its_url(served):
    assert f"Cupola is serving http://127.0.0.1:{served.port}/" in served.output()


def test_front_page(served):
    status, headers, body = served.get("/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    html = body.decode("utf-8")
    assert "<html" in html.lower()
    assert re.search(r"<title>[^<]*Cupola", html), html[:500]


def test_head_of_front_page(served):
    status, headers, body = served.request("HEAD", "/")
    assert status == 200
    assert body == b""


def test_welcome_page(served):
    status, headers, body = served.get("/welcome")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")


def test_not_found_page(served):
    status, headers, body = served.get("/no-such-page")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    html = body.decode("utf-8")
    assert "Cupola" in html  # in the site's look, not a bare server error
    assert "Traceback" not in html


def test_static_resource(served):
    status, headers, body = served.get("/++resource++cupola/cupola.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body
    assert "max-age" in headers["Cache-Control"]


def test_versioned_static_resource_is_cached_long(served):
    status, headers, body = served.get("/++resource++cupola/cupola.css?v=1")
    assert status == 200
    max_age = re.search(r"max-age=(\d+)", headers["Cache-Control"])
    assert max_age and int(max_age.group(1)) >= 30 * 24 * 3600, \
        headers["Cache-Control"]


def test_sign_in(served):
    status, headers, body = served.get("/@@login")
    assert status == 200
    csrf_cookie = cookies_of(headers)["cupola_csrf"].value
    field = re.search(r'name="_csrf"\s+value="([^"]+)"', body.decode("utf-8"))
    assert field, "no hidden _csrf field on the login page"
    form = urlencode({"_csrf": field.group(1), "login": "admin",
                      "password": PASSWORD, "came_from": "/"})
    status, headers, body = served.request(
        "POST", "/@@login", body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": f"cupola_csrf={csrf_cookie}"})
    assert status == 303, body[:1000]
    session = cookies_of(headers)["cupola_session"]
    assert session.value
    assert session["httponly"]


def test_sign_in_with_a_wrong_password_fails(served):
    status, headers, body = served.get("/@@login")
    csrf_cookie = cookies_of(headers)["cupola_csrf"].value
    field = re.search(r'name="_csrf"\s+value="([^"]+)"', body.decode("utf-8"))
    form = urlencode({"_csrf": field.group(1), "login": "admin",
                      "password": "wrong", "came_from": "/"})
    status, headers, body = served.request(
        "POST", "/@@login", body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": f"cupola_csrf={csrf_cookie}"})
    assert status != 303
    assert "cupola_session" not in cookies_of(headers) or \
        not cookies_of(headers)["cupola_session"].value


def test_serve_reads_environment_variables(start, tmp_path):
    """What ``make serve`` and container setups rely on: CUPOLA_* variables."""
    port = free_port()
    server = start([script("cupola"), "serve"], port=port, env=clean_env(
        CUPOLA_PORT=str(port), CUPOLA_HOST="127.0.0.1", CUPOLA_THREADS="2",
        CUPOLA_ZODB_URI=f"file://{tmp_path}/env/Data.fs"))
    assert f"Cupola is serving http://127.0.0.1:{port}/" in server.output()
    status, headers, body = server.get("/")
    assert status == 200
    assert (tmp_path / "env" / "Data.fs").exists()


def test_serve_defaults_to_var_data_fs(start, tmp_path):
    """Without a URI the database is var/Data.fs in the working directory."""
    port = free_port()
    server = start([script("cupola"), "serve", "--port", str(port)], port=port)
    assert server.get("/")[0] == 200
    assert (tmp_path / "var" / "Data.fs").exists()
    assert (tmp_path / "var" / "blobstorage").is_dir()


def test_init_then_serve_keeps_the_site(tmp_path, start):
    uri = f"file://{tmp_path}/Data.fs"
    env = {**os.environ, "CUPOLA_ADMIN_PASSWORD": PASSWORD}
    env.pop("CUPOLA_ZODB_URI", None)
    env.pop("CUPOLA_CONFIG", None)
    done = subprocess.run([script("cupola"), "init", "--zodb-uri", uri],
                          cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    server = start([script("cupola"), "serve", "--port", str(port),
                    "--zodb-uri", uri], port=port)
    assert server.get("/welcome")[0] == 200


def test_gunicorn_serves_the_application(start, tmp_path):
    port = free_port()
    server = start([script("gunicorn"), "--workers", "1", *gunicorn_options(),
                    "--bind", f"127.0.0.1:{port}", "cupola.wsgi:application"],
                   port=port,
                   env=clean_env(CUPOLA_ZODB_URI=f"file://{tmp_path}/Data.fs"))
    status, headers, body = server.get("/")
    assert status == 200, server.output()
    assert b"Cupola" in body
    assert server.get("/welcome")[0] == 200


@pytest.mark.parametrize("ini", ["development.ini", "production.ini"])
def test_serve_with_the_ini_files(start, tmp_path, ini):
    """The shipped .ini files load; production's pipeline compresses."""
    shutil.copy(REPO / ini, tmp_path / ini)
    port = free_port()
    server = start([script("cupola"), "serve", "--config", ini,
                    "--port", str(port)], port=port)
    status, headers, body = server.get("/", headers={"Accept-Encoding": "gzip"})
    assert status == 200, server.output()
    assert (tmp_path / "var" / "Data.fs").exists()  # %(here)s/var/Data.fs
    if ini == "production.ini":
        assert headers["Content-Encoding"] == "gzip"
        status, headers, body = server.get("/no-such-page")
        assert status == 404
        assert b"Traceback" not in body  # debug = false
