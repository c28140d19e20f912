"""Servers the fault tests may break: a private Redis and a private PostgreSQL cluster on
free ports, a real Celery worker and a real portal (gunicorn) in subprocesses. The shared
PostgreSQL and Redis on 5432 / 6379 are never stopped; these are started per test and always
torn down, whatever the test did to them."""

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import kombu.pools
import psutil
import pytest
import redis
from django.conf import settings
from django.db import connection

from p3dn_portal.celery import app as celery_app
from p3dn_portal.celery import broker_pause_reset
from tests.services import service_missing

REPO = Path(__file__).resolve().parents[2]
# A slow, shared machine: servers get this long to come up before a test gives up.
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.05)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# Redis ---------------------------------------------------------------------------------------


class RedisServer:
    """redis-server in the foreground as our child: kill() is a crash (SIGKILL, nothing
    saved), start() brings it back, empty, on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 (the child writes it)
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(self._answers, timeout=START_TIMEOUT, what=f"Redis on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None
        wait_until(lambda: not _port_open(self.port), timeout=10, what="Redis to go away")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"redis-server exited: {(self.workdir / 'redis.log').read_text()}")
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    workdir = Path(tempfile.mkdtemp(prefix="p3dn-fault-redis-"))
    server = RedisServer(workdir)
    if server.binary is None:
        service_missing("redis-server is not installed.")
    server.start()
    try:
        yield server
    finally:
        server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def _reset_celery_connections() -> None:
    """Drop the app's pooled broker connections and result store, so the next publish
    connects to the broker the configuration now names."""
    # kombu keeps pools in a registry by connection parameters: a port used again by a later
    # test's Redis must not find the closed pool of the earlier one.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


def route_all_tasks_to(queue: str | None) -> None:
    celery_app.conf.task_routes = {"*": {"queue": queue}} if queue else None
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # a cached property holding the old routes


@pytest.fixture
def portal_on_private_redis(private_redis, settings) -> Iterator[str]:
    """The portal's broker, result store, cache and sessions on the private Redis, tasks
    going through it (not run in-process) to a queue of this test's own. Yields the queue."""
    queue = f"p3dn-fault-{uuid.uuid4().hex}"
    saved = {
        key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")
    }
    celery_app.conf.broker_url = private_redis.url(0)
    celery_app.conf.result_backend = private_redis.url(0)
    celery_app.conf.task_always_eager = False
    route_all_tasks_to(queue)
    _reset_celery_connections()
    broker_pause_reset()
    settings.REDIS_URL = private_redis.url(0)
    settings.CACHES = {
        alias: {**config, "LOCATION": private_redis.url(1)}
        for alias, config in settings.CACHES.items()
    }
    try:
        yield queue
    finally:
        for key, value in saved.items():
            celery_app.conf[key] = value
        route_all_tasks_to(None)
        _reset_celery_connections()
        broker_pause_reset()


# A Celery worker in a subprocess ---------------------------------------------------------------


def database_env() -> dict[str, str]:
    """The test database as a subprocess reaches it (a TCP host or pgserver's socket dir)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {"DATABASE_URL": f"postgres://{credentials}@/{db['NAME']}"}
    if db["HOST"]:
        env["PGHOST"] = db["HOST"]
    if db["PORT"]:
        env["PGPORT"] = str(db["PORT"])
    return env


class WorkerProcess:
    """`celery -A p3dn_portal worker` with the production pool (prefork) and settings,
    on the private Redis and the test database, in its own process group."""

    def __init__(self, *, redis_url: str, queue: str, logdir: Path, extra_env: dict) -> None:
        self.hostname = f"fault-{uuid.uuid4().hex[:8]}@%h"
        self.log = logdir / f"worker-{uuid.uuid4().hex[:8]}.log"
        env = {
            **os.environ,
            **database_env(),
            "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings",
            "DEBUG": "1",
            "SECRET_KEY": settings.SECRET_KEY,
            "PYTHONPATH": str(REPO),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CONN_MAX_AGE": "0",
            **extra_env,
        }
        command = [sys.executable, "-m", "celery", "-A", "p3dn_portal", "worker"]
        command += ["--pool", "prefork", "--concurrency", "1", "--queues", queue]
        command += ["--hostname", self.hostname, "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(self._ready, timeout=START_TIMEOUT, what=f"the Celery worker ({self.log})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"The worker exited:\n{self.log.read_text()}")
        return " ready." in self.log.read_text(errors="replace")

    def pool_processes(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def kill_pool_process(self) -> int:
        """SIGKILL the pool process running the task (an out-of-memory kill, a segfault);
        the worker's main process lives on."""
        (child,) = self.pool_processes()
        child.send_signal(signal.SIGKILL)
        return child.pid

    def kill(self) -> None:
        """SIGKILL the worker with its pool (the machine or container lost): no warm
        shutdown, nothing acknowledged or handed back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker_process(
    portal_on_private_redis, private_redis, tmp_path, transactional_db, private_storage_env
):
    """Start real workers on the test's queue and private storage (the test's folder or
    bucket): start_worker_process(**extra_env)."""
    workers: list[WorkerProcess] = []

    def _start(**extra_env: str) -> WorkerProcess:
        worker = WorkerProcess(
            redis_url=private_redis.url(0),
            queue=portal_on_private_redis,
            logdir=tmp_path,
            extra_env={**private_storage_env, **extra_env},
        )
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        worker.stop()


# PostgreSQL ------------------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3])
    )
    return versions[-1].parent if versions else None


class PostgresServer:
    """A throw-away cluster of Debian's PostgreSQL, owned by the `postgres` OS user when the
    tests run as root (initdb refuses root), listening on 127.0.0.1 at a free port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="p3dn-fault-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, timeout: float = 120) -> None:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/")
        if done.returncode != 0:
            raise AssertionError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w",
            "-t", str(int(START_TIMEOUT)), "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown, as a restart by the operator or a failover does: every
        connection is closed by the server."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    bindir = _postgres_bin()
    if bindir is None:
        service_missing("PostgreSQL (/usr/lib/postgresql/*/bin) is not installed.")
    server = PostgresServer(bindir)
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        server.remove()
