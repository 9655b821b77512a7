"""Start a WSGI server as a separate process on a free port; stop it again.

Each server runs in its own session, so stopping it ends exactly the
process group this module started (by its id), nothing else.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
THREADS = 4
SERVER_CPUS = {0}  # with pin=True: the server here, the load client elsewhere


def client_cpus():
    """CPUs left for the load client when servers are pinned (None: no pinning)."""
    cpus = os.sched_getaffinity(0) - SERVER_CPUS
    return cpus if cpus and SERVER_CPUS <= os.sched_getaffinity(0) else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def waitress_cmd(app, port, threads=THREADS):
    """Waitress as ``cupola serve`` runs it (``cupola.server``: keep-alive
    after a 304), the same for every app: 4 threads, loopback."""
    return [sys.executable, "-m", "cupola.server", "--host", "127.0.0.1",
            f"--port={port}", f"--threads={threads}", app]


def granian_cmd(app, port, workers=1):
    """granian with one worker (as ``compare.sh`` runs it), loopback."""
    return [str(VENV_BIN / "granian"), "--interface", "wsgi",
            f"--workers={workers}", "--no-access-log", "--log-level", "warning",
            "--host", "127.0.0.1", f"--port={port}", app]


def has_granian():
    return (VENV_BIN / "granian").exists()


def wait_port(port, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def serving(app, env=None, cwd=BENCH, log_path=None, pin=False,
            server="waitress"):
    """Run *app* ('module:callable') under *server*; yield its base URL.

    *server*: ``waitress`` (4 threads) or ``granian`` (1 worker).

    With *pin*, the server runs on ``SERVER_CPUS`` only: waitress's threads
    then hand the GIL over on one core instead of across cores, which on a
    small machine swings a cheap app's req/s by up to 10× between runs.
    """
    port = free_port()
    log = open(log_path or os.devnull, "ab")
    pinned = (lambda: os.sched_setaffinity(0, SERVER_CPUS)) if pin else None
    cmd = (granian_cmd if server == "granian" else waitress_cmd)(app, port)
    proc = subprocess.Popen(cmd, cwd=cwd,
                            env={**os.environ, **(env or {})},
                            stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=pinned)
    try:
        if not wait_port(port, proc):
            raise RuntimeError(f"{app} did not start on port {port}"
                               + (f"; see {log_path}" if log_path else ""))
        time.sleep(0.5)  # let the server settle before loading it
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


def stop(proc, timeout=10.0):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
