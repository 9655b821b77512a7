"""Every WSGI server started for real: waitress, gunicorn, granian, uWSGI.

Each one serves a page, signs in, takes a file upload and gives the same
bytes back, then loses a worker (or is restarted) and goes on serving: the
session cookie from before still signs in, the file is still there.
Several workers share a ZEO server; the single-process waitress uses a
FileStorage. Apache with mod_wsgi is in test_servers_apache.py.
"""

import os
import signal

import pytest

from servers import (Browser, children, exercise, free_port, gunicorn_options, nginx_conf,
                     production_ini, script, system_binary, wait_for)

pytestmark = pytest.mark.slow


def still_serving(browser, path, data, rounds=6):
    """Several requests (so that every worker gets some) all succeed."""
    for _ in range(rounds):
        assert browser.is_signed_in(), "the session from before was lost"
    assert browser.download(path) == data


def kill_a_worker(master_pid, workers=2):
    """SIGKILL one worker of *master_pid*; wait until it is replaced."""
    before = wait_for(lambda: len(children(master_pid)) >= workers and children(master_pid),
                      what=f"{workers} workers")
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in children(master_pid)
             and len(children(master_pid)) >= workers,
             what=f"a new worker in place of {victim}")
    return victim


def test_waitress_with_production_ini_survives_a_restart(start, tmp_path):
    """``cupola serve --config production.ini``: one process on a FileStorage."""
    ini = production_ini(tmp_path)
    port = free_port()
    args = [script("cupola"), "serve", "--config", ini, "--port", port]
    server = start(args, port)
    browser = Browser(port)
    path, data = exercise(browser, "waitress")
    status, headers, body = browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"  # the pipeline of the .ini
    server.stop()
    start(args, port)
    still_serving(browser, path, data)


def test_gunicorn_with_two_workers_on_zeo(start, zeo, tmp_path):
    """``gunicorn --paste production.ini -w 2``: kill -9 a worker, then HUP."""
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    port = free_port()
    server = start([script("gunicorn"), "--paste", ini, "--workers", "2",
                    "--threads", "4", "--bind", f"127.0.0.1:{port}",
                    "--graceful-timeout", "5", *gunicorn_options()], port)
    browser = Browser(port)
    path, data = exercise(browser, "gunicorn")
    victim = kill_a_worker(server.pid)
    wait_for(lambda: f"Worker (pid:{victim}) was sent SIGKILL" in server.output(),
             what="gunicorn to log the killed worker")
    still_serving(browser, path, data)
    old = set(children(server.pid))
    os.kill(server.pid, signal.SIGHUP)  # graceful reload of every worker
    wait_for(lambda: not old & set(children(server.pid))
             and len(children(server.pid)) == 2, what="two new workers")
    still_serving(browser, path, data)
    assert "Traceback" not in server.output()


def test_gunicorn_with_cupola_config(start, zeo, tmp_path):
    """``CUPOLA_CONFIG=production.ini gunicorn cupola.wsgi:application``."""
    from servers import clean_env
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    port = free_port()
    server = start([script("gunicorn"), "--workers", "2", "--bind",
                    f"127.0.0.1:{port}", *gunicorn_options(),
                    "cupola.wsgi:application"], port,
                   env=clean_env(CUPOLA_CONFIG=str(ini)))
    browser = Browser(port)
    exercise(browser, "gunicorn-env")
    status, headers, body = browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip", server.output()


def test_granian_with_two_workers_on_zeo(start, zeo, tmp_path):
    """granian in WSGI mode reads CUPOLA_CONFIG and respawns a killed worker."""
    from servers import clean_env
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    port = free_port()
    server = start([script("granian"), "--interface", "wsgi", "--workers", "2",
                    "--blocking-threads", "4", "--respawn-failed-workers",
                    "--respawn-interval", "0.5", "--host", "127.0.0.1",
                    "--port", port, "cupola.wsgi:application"], port,
                   env=clean_env(CUPOLA_CONFIG=str(ini)))
    browser = Browser(port)
    path, data = exercise(browser, "granian")
    victim = kill_a_worker(server.pid)
    wait_for(lambda: "Unexpected exit from worker" in server.output(),
             what="granian to log the killed worker")
    still_serving(browser, path, data)
    wait_for(lambda: server.output().count("Started worker") >= 3,
             what="the new worker's start")


def test_uwsgi_with_two_processes_on_zeo(start, zeo, tmp_path):
    """uWSGI's --paste with lazy apps: kill -9 a worker, then a graceful reload."""
    ini = production_ini(tmp_path, zeo.uri(tmp_path / "blobcache"))
    port = free_port()
    server = start([script("uwsgi"), "--master", "--processes", "2",
                    "--threads", "4", "--http-socket", f"127.0.0.1:{port}",
                    "--paste", f"config:{ini}", "--lazy-apps", "--need-app",
                    "--die-on-term", "--reload-mercy", "10",
                    "--worker-reload-mercy", "10"], port)
    browser = Browser(port)
    path, data = exercise(browser, "uwsgi")
    ready = "WSGI app 0 (mountpoint='') ready"
    victim = kill_a_worker(server.pid)
    wait_for(lambda: f"(pid: {victim}) died, killed by signal 9" in server.output(),
             what="uWSGI to log the killed worker")
    still_serving(browser, path, data)
    # the new worker loads the application before a reload may stop it
    wait_for(lambda: server.output().count(ready) >= 3, what="the new worker's app")
    old = set(children(server.pid))
    os.kill(server.pid, signal.SIGHUP)  # graceful reload
    wait_for(lambda: not old & set(children(server.pid))
             and len(children(server.pid)) == 2, what="two new workers")
    still_serving(browser, path, data)


# the server blocks; nginx_conf() wraps them
NGINX_UWSGI = """\
    server {{
        listen 127.0.0.1:{port};
        location / {{
            include /etc/nginx/uwsgi_params;
            uwsgi_pass 127.0.0.1:{uwsgi_port};
        }}
    }}
"""


def test_uwsgi_behind_nginx_over_the_uwsgi_protocol(start, tmp_path):
    """``uwsgi --socket`` (its own protocol) with nginx's ``uwsgi_pass``."""
    ini = production_ini(tmp_path)
    uwsgi_port, port = free_port(), free_port()
    start([script("uwsgi"), "--master", "--processes", "1", "--threads", "4",
           "--socket", f"127.0.0.1:{uwsgi_port}", "--paste", f"config:{ini}",
           "--lazy-apps", "--need-app", "--die-on-term"], uwsgi_port)
    web = tmp_path / "nginx"
    web.mkdir()
    conf = nginx_conf(web, NGINX_UWSGI.format(port=port, uwsgi_port=uwsgi_port))
    start([system_binary("nginx", "nginx"), "-p", web, "-e", web / "nginx-error.log",
           "-c", conf], port, cwd=web)
    exercise(Browser(port), "uwsgi-nginx")

