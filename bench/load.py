"""HTTP load: wrk when it is installed, else a Python keep-alive client.

Both clients get the same settings (connections, duration, headers) for
every app, so the figures of one run compare; the ratios matter, not the
absolute numbers.
"""

import http.client
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

CONNECTIONS = 16
WRK_THREADS = 2
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def get(url, headers=None):
    """One GET: (status, headers, body); HTTP errors and 304 are answers.

    The headers are an ``http.client.HTTPMessage`` (``get`` ignores case).
    """
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def client_name():
    return "wrk" if shutil.which("wrk") else "python"


def load(url, duration, headers=None, warmup=2, connections=CONNECTIONS,
         cpus=None):
    """Load *url* for *duration* seconds after a warm-up; return the figures.

    *cpus*: run the client on these CPUs only (the server has the others).
    """
    run = _wrk if shutil.which("wrk") else _python
    if warmup:
        run(url, warmup, headers or {}, connections, cpus)
    return run(url, duration, headers or {}, connections, cpus)


# -- wrk ---------------------------------------------------------------------

def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def _wrk(url, duration, headers, connections, cpus=None):
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s",
           "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    pinned = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    out = subprocess.run(cmd + [url], capture_output=True, text=True,
                         timeout=duration + 60, check=True,
                         preexec_fn=pinned).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                     r"timeout (\d+)", out)
    pct = {p: re.search(rf"^\s+{p}%\s+(\S+)", out, re.M) for p in ("50", "99")}
    return {
        "client": "wrk",
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": _ms(pct["50"].group(1)) if pct["50"] else None,
        "p99_ms": _ms(pct["99"].group(1)) if pct["99"] else None,
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(x) for x in sock.groups()) if sock else 0),
    }


# -- the Python fallback -------------------------------------------------------

def _python(url, duration, headers, connections, cpus=None):
    """*connections* threads, each with one keep-alive http.client connection."""
    if cpus:  # this process becomes the client: keep it off the server's CPU
        os.sched_setaffinity(0, cpus)
    parts = urlsplit(url)
    path = parts.path or "/"
    stop_at = time.perf_counter() + duration
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, bad = [], 0
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    bad += 1
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "client": "python",
        "rps": n / elapsed if elapsed else 0.0,
        "requests": n,
        "p50_ms": statistics.median(latencies) * 1000 if n else None,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else None,
        "errors": errors[0],
    }


# -- signing in ------------------------------------------------------------------

def sign_in(base, login, password):
    """Sign in through ``/@@login``; return the ``Cookie`` header to send.

    GET the form for the ``cupola_csrf`` cookie and the hidden ``_csrf``
    field, POST them with the login and password, and take
    ``cupola_session`` from the answer (a 303, not followed).
    """
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode
    parts = urlsplit(base)

    def request(method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            cookies = SimpleCookie()
            for value in resp.headers.get_all("Set-Cookie") or []:
                cookies.load(value)
            return resp.status, cookies, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    status, cookies, page = request("GET", "/@@login")
    if status != 200 or "cupola_csrf" not in cookies:
        raise RuntimeError(f"GET /@@login answered {status} without a CSRF cookie")
    csrf = cookies["cupola_csrf"].value
    field = (re.search(r'name="_csrf"[^>]*value="([^"]*)"', page)
             or re.search(r'value="([^"]*)"[^>]*name="_csrf"', page))
    if not field:
        raise RuntimeError("no hidden _csrf field in /@@login")
    body = urlencode({"login": login, "password": password,
                      "_csrf": field.group(1)})
    status, cookies, _ = request(
        "POST", "/@@login", body,
        {"Content-Type": "application/x-www-form-urlencoded",
         "Cookie": f"cupola_csrf={csrf}"})
    if status not in (302, 303) or "cupola_session" not in cookies:
        raise RuntimeError(f"signing in as {login} answered {status} "
                           "without a session cookie")
    return (f"cupola_session={cookies['cupola_session'].value}; "
            f"cupola_csrf={csrf}")
