"""Metrics under gunicorn with two worker processes (multiprocess mode).

Whichever worker answers ``/@@metrics``, the counters are those of all
workers added up, a worker killed and replaced included; the ZODB gauges
count only live workers (the ``child_exit`` hook forgets dead ones).
"""

import os
import re
import signal
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from servers import Server, children, free_port, production_ini, script, wait_for

pytestmark = pytest.mark.slow

GUNICORN_CONF = """\
from cupola.wsgi_middleware.metrics import gunicorn_hooks
on_starting, child_exit = gunicorn_hooks({directory!r})
"""


def metered_ini(folder, metrics_dir):
    ini = production_ini(folder, "memory://")
    text = ini.read_text()
    text = text.replace("    accesslog\n    gzip\n", "    accesslog\n    metrics\n    gzip\n")
    text = re.sub(r"(?m)^directory =$", f"directory = {metrics_dir}", text)
    assert "    metrics\n" in text and f"directory = {metrics_dir}" in text
    ini.write_text(text)
    return ini


def new_worker(server, old):
    """The pid of a worker booted after *old*, once it is alive."""
    booted = [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", server.output())]
    fresh = [p for p in booted if p not in old and p in children(server.pid)]
    return fresh[0] if fresh else None


def scrape(server):
    status, headers, body = server.get("/@@metrics")
    assert status == 200, body[:500]
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def requests_2xx(found):
    return sum(v for (name, labels), v in found.items()
               if name == "cupola_http_requests_total" and ("status", "2xx") in labels)


def served(log_path):
    """{"<pid>": number of pages} from gunicorn's access log."""
    counts = {}
    for line in log_path.read_text().splitlines():
        if "/welcome" in line:
            pid = line.split()[0]
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def counted(found, expected):
    """The sum lags by at most the one request whose body just went out:
    its worker counts it once the server closes the body."""
    value = requests_2xx(found)
    assert expected - 1 <= value <= expected, (value, expected)


def test_two_workers_add_up(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    ini = metered_ini(tmp_path, metrics_dir)
    (metrics_dir / "gauge_livesum_999999.db").write_bytes(b"")  # a stale file
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN_CONF.format(directory=str(metrics_dir)))
    access = tmp_path / "gunicorn-access.log"
    port = free_port()
    server = Server([script("gunicorn"), "--paste", ini, "--workers", "2",
                     "--bind", f"127.0.0.1:{port}", "-c", tmp_path / "gunicorn.conf.py",
                     "--access-logfile", access, "--access-logformat", "%(p)s %(r)s",
                     "--no-control-socket"],  # one fixed path for every gunicorn
                    cwd=tmp_path, port=port)
    try:
        server.wait_until_listening()
        workers = wait_for(lambda: len(children(server.pid)) == 2 and children(server.pid),
                           what="two gunicorn workers")
        sent = 0
        # new connections until each worker has served a few pages (bounded)
        deadline = time.monotonic() + 60
        while sent < 20 or len(served(access)) < 2 or min(served(access).values()) < 3:
            assert time.monotonic() < deadline, f"one worker served everything: {served(access)}"
            assert server.get("/welcome")[0] == 200
            sent += 1
        assert set(served(access)) == {f"<{pid}>" for pid in workers}
        # one process alone would report at most its own share
        assert max(served(access).values()) < sent - 1
        scrapes = 0
        for _ in range(4):  # whichever worker answers, the sum is the same
            counted(scrape(server), sent + scrapes)
            scrapes += 1
        # a worker dies and is replaced: what it counted stays counted
        os.kill(workers[0], signal.SIGKILL)
        booted = wait_for(lambda: new_worker(server, workers), what="a new worker")
        found = scrape(server)
        counted(found, sent + scrapes)
        scrapes += 1
        # its gauges are forgotten (the master's child_exit hook)
        wait_for(lambda: not (metrics_dir / f"gauge_livesum_{workers[0]}.db").exists(),
                 what="the dead worker's gauges to go")
        names = {p.name for p in metrics_dir.iterdir() if p.name.startswith("gauge_livesum")}
        assert names <= {f"gauge_livesum_{pid}.db" for pid in (workers[1], booted)}, names
        assert "gauge_livesum_999999.db" not in names  # emptied at start
        assert found[("cupola_zodb_connections", ())] >= 1
    finally:
        server.stop()
