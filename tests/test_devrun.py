"""`make run` reads well: warnings and one line per mail while it starts, then one banner with
the address and every demo login the README names, last; Ctrl-C stops every process."""

import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.mail import EmailMessage
from django.db import connection

from p3dn_portal.lib.env import redis_url_next_database, redis_url_with_database
from p3dn_portal.lib.mail import OneLineConsoleEmailBackend
from tests.faults.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 600


def test_a_mail_in_development_is_one_line_with_its_link():
    out = io.StringIO()
    body = "Yth. Dewi,\n\nBuka tautan ini: http://127.0.0.1:8000/akun/verifikasi/abc123/.\n\nSalam"
    message = EmailMessage("Verifikasi email Anda", body, to=["dewi@contoh.id"])

    assert OneLineConsoleEmailBackend(stream=out).send_messages([message]) == 1
    assert out.getvalue() == (
        "Mail to dewi@contoh.id: Verifikasi email Anda -> "
        "http://127.0.0.1:8000/akun/verifikasi/abc123/\n"
    )


def test_a_mail_without_a_link_is_one_line_too():
    out = io.StringIO()
    OneLineConsoleEmailBackend(stream=out).send_messages(
        [EmailMessage("Halo", "Tanpa tautan.", to=["a@contoh.id", "b@contoh.id"])]
    )
    assert out.getvalue() == "Mail to a@contoh.id, b@contoh.id: Halo\n"


@pytest.mark.parametrize(
    ("redis", "cache"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/5"),
        ("redis://:rahasia@redis:6380", "redis://:rahasia@redis:6380/1"),
    ],
)
def test_the_cache_uses_the_redis_database_after_the_brokers(redis, cache):
    assert redis_url_next_database(redis) == cache


def _readme_logins() -> set[str]:
    table = (ROOT / "README.md").read_text().split("## ", 1)[0]
    return set(re.findall(r"`([a-z.]+@demo\.p3dn\.id)`", table))


@pytest.mark.django_db(transaction=True)
def test_make_run_ends_with_one_banner_of_every_demo_login_and_ctrl_c_stops_everything(
    redis_service, tmp_path
):
    name = f"{connection.settings_dict['NAME']}_run_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    params = {"user": db["USER"], "host": db["HOST"] or None, "port": db["PORT"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    address = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@/{name}",
        # Redis databases of its own: its worker takes no task queued by another test.
        "REDIS_URL": redis_url_with_database(redis_service, 15),
        "CACHE_URL": redis_url_with_database(redis_service, 14),
        "CACHE_KEY_PREFIX": f"run-{uuid.uuid4().hex}",
        "RUN_ADDRESS": address,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STORAGE_URL": "",
    }
    for key, value in (("PGHOST", db["HOST"]), ("PGPORT", db["PORT"])):
        if value:
            env[key] = str(value)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "p3dn_portal.lib.devrun"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_SECONDS
        while "Portal: http://" not in log.read_text() and run.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(1)
        time.sleep(3)  # anything printed after the banner would show now
        output = log.read_text()
        children = _descendants(run.pid)
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole group
        assert run.wait(timeout=60) == 0, output
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    lines = output.rstrip().splitlines()
    # The banner is last: the address and every login of the README's table.
    assert lines[-2].startswith(f"Portal: http://{address}/")
    banner = output.split("=" * 78)[-2]
    for email in _readme_logins():
        assert email in banner, email
    # Mail as one line each, no bodies; no Celery banner; short.
    mail_lines = [line for line in lines if line.startswith("Mail to ")]
    assert mail_lines, "the demo data sends mail"
    assert not any("Content-Type:" in line or "-------------- celery@" in line for line in lines)
    assert len(lines) < len(mail_lines) + 60, output
    # Nothing left running: worker, beat and the server are gone.
    time.sleep(1)
    assert not [p for p in children if _alive(p)], output


def _descendants(pid: int) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
