"""Apache with mod_wsgi in daemon mode, started for real with its own config.

Apache runs from a private ServerRoot (config, pid file, logs, sockets)
on a free port; its two mod_wsgi daemon processes run as www-data (mod_wsgi
refuses root) on a ZEO database. The test signs in, uploads a file, kills
a daemon process (Apache starts another), then asks for a graceful
restart, and the session from before still works throughout.

The daemon processes run Debian's mod_wsgi (libapache2-mod-wsgi-py3, built
for Debian's Python) with the test environment's packages on their path,
so that Debian's Python must have the same minor version as the venv's.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from servers import (REPO, Browser, Server, Zeo, children, clean_env, exercise,
                     free_port, production_ini, script, system_binary, wait_for)

pytestmark = pytest.mark.slow

MOD_WSGI = Path("/usr/lib/apache2/modules/mod_wsgi.so")
MODULES = Path("/usr/lib/apache2/modules")

APACHE_CONF = """\
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/apache.pid"
DefaultRuntimeDir "{root}/run"
Mutex file:{root}/run default
ErrorLog "{root}/error.log"
LogLevel warn
User www-data
Group www-data

LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule wsgi_module {mod_wsgi}

WSGISocketPrefix "{root}/run/wsgi"
WSGIRestrictEmbedded On
WSGIDaemonProcess cupola processes=2 threads=4 display-name=%{{GROUP}} \\
    python-path={python_path} home={root} \\
    lang=C.UTF-8 locale=C.UTF-8
WSGIScriptAlias / "{root}/cupola.wsgi" process-group=cupola application-group=%{{GLOBAL}}

<Directory "{root}">
    Require all granted
</Directory>
"""

WSGI_SCRIPT = """\
import os
os.environ.setdefault("CUPOLA_CONFIG", "{ini}")
from cupola.wsgi import application
"""


def debian_python_matches():
    """mod_wsgi.so from Debian embeds /usr/bin/python3: same minor version?"""
    done = subprocess.run(["/usr/bin/python3", "-c",
                           "import sys; print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip() == "%d.%d" % sys.version_info[:2]


def command_line(pid):
    """The command line of *pid*, or b"" once it has exited."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture
def apache_root():
    """A folder www-data can read (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="cupola-apache-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_mod_wsgi_daemon_mode_on_zeo(apache_root):
    apache2 = system_binary("apache2", "apache2")
    if not MOD_WSGI.exists():
        pytest.fail("mod_wsgi.so is missing: install libapache2-mod-wsgi-py3 "
                    "(make deploy-deps)")
    assert debian_python_matches(), (
        "Debian's mod_wsgi runs /usr/bin/python3, whose version differs from "
        f"this venv's {sys.version_info[:2]}: build mod_wsgi for it instead "
        "(pip install mod_wsgi, see docs/deploy.md)")
    www = pwd.getpwnam("www-data")
    root = apache_root
    (root / "run").mkdir()
    zeo = Zeo(root / "zeo")
    server = None
    try:
        ini = production_ini(root, zeo.uri(root / "blobcache"))
        done = subprocess.run([script("cupola"), "init", "--config", str(ini)],
                              cwd=root, env=clean_env(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        (root / "cupola.wsgi").write_text(WSGI_SCRIPT.format(ini=ini))
        for path in [root, root / "run", *root.rglob("*")]:
            if "zeo" not in path.parts:
                os.chown(path, www.pw_uid, www.pw_gid)
        port = free_port()
        python_path = ":".join([str(REPO / "src"), sysconfig.get_paths()["purelib"]])
        (root / "apache.conf").write_text(APACHE_CONF.format(
            root=root, port=port, modules=MODULES, mod_wsgi=MOD_WSGI,
            python_path=python_path))
        env = clean_env()
        env.pop("CHAMELEON_CACHE", None)  # the tests' cache belongs to root
        server = Server([apache2, "-f", root / "apache.conf", "-DFOREGROUND"],
                        cwd=root, port=port, env=env, log_name="apache.log")
        server.wait_until_listening()
        browser = Browser(port)
        error_log = lambda: (root / "error.log").read_text(errors="replace")  # noqa: E731
        try:
            path, data = exercise(browser, "apache")
        except AssertionError:
            print(error_log())
            raise

        daemons = lambda: [pid for pid in children(server.pid)  # noqa: E731
                           if command_line(pid).startswith(b"(wsgi:cupola)")]
        before = wait_for(lambda: len(daemons()) == 2 and daemons(), what="two daemons")
        os.kill(before[0], signal.SIGKILL)
        wait_for(lambda: before[0] not in daemons() and len(daemons()) == 2,
                 what="a new daemon process")
        for _ in range(6):
            assert browser.is_signed_in(), error_log()
        assert browser.download(path) == data

        old = set(daemons())
        os.kill(server.pid, signal.SIGUSR1)  # apachectl graceful
        wait_for(lambda: len(daemons()) == 2 and not old & set(daemons()),
                 what="daemons of the graceful restart")
        for _ in range(6):
            assert browser.is_signed_in(), error_log()
        assert browser.download(path) == data
        assert "Traceback" not in error_log(), error_log()
    finally:
        if server is not None:
            server.stop()
        zeo.stop()
