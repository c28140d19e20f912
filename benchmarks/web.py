"""The portal under gunicorn, driven by wrk, and the memory its processes reached."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = Path(__file__).with_name("wrk_report.lua")
FIGURES = re.compile(r"FIGURES (.*)")
TIMEOUT_S = 10  # a request not answered by then counts as an error


@dataclass(frozen=True)
class Load:
    """What wrk measured on one URL."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, port: int, bare: bool = False):
    """Serve the portal as in production (p3dn_portal/gunicorn.conf.py) on 127.0.0.1; with
    `bare`, the bare Django view (benchmarks.bare) with the same kind and number of workers."""
    if bare:
        app, config, health = "benchmarks.bare:application", ["--preload"], "/"
    else:
        config = ["--config", str(ROOT / "p3dn_portal" / "gunicorn.conf.py")]
        app, health = "p3dn_portal.wsgi:application", "/healthz"
    command = [
        str(BIN / "gunicorn"),
        app,
        *config,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}{health}", server)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian's package).")
    return path


def drive(
    url: str,
    *,
    headers: dict[str, str],
    seconds: int,
    clients: int,
    paths: Path | None = None,
) -> Load:
    """wrk with `clients` connections on 2 threads for `seconds`: on `url`, or on a path of
    the file `paths` (one a line) picked at random for each request, on url's server."""
    env = dict(
        os.environ,
        WRK_HEADERS="|".join(f"{k}: {v}" for k, v in headers.items()),
        WRK_PATHS=str(paths or ""),
    )
    command = [
        wrk_path(),
        "--threads",
        "2",
        "--connections",
        str(clients),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{TIMEOUT_S}s",
        "--script",
        str(LUA),
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = FIGURES.search(output)
    if match is None:
        raise SystemExit(f"wrk printed no figures for {url}:\n{output}")
    values = dict(pair.split("=") for pair in match.group(1).split())
    return Load(
        requests=int(values["requests"]),
        seconds=float(values["seconds"]),
        p50_ms=int(values["p50_us"]) / 1000,
        p95_ms=int(values["p95_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        errors=int(values["errors"]),
    )


def descendants(pid: int) -> list[int]:
    """The processes below `pid` (gunicorn's workers, Celery's pool), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        children = parents.get(queue.pop(), [])
        found.extend(children)
        queue.extend(children)
    return found


def peak_rss_mib(pid: int) -> float:
    """The highest resident memory the process reached (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_of_tree(pid: int) -> float:
    """The largest peak among a master process and its children."""
    return max(peak_rss_mib(p) for p in [pid, *descendants(pid)])
