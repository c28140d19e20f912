"""`make run`: the whole portal on one machine, with nothing installed but Python.

Uses DATABASE_URL when set, else starts the embedded PostgreSQL; migrates; loads the demo
data (idempotent); starts a Celery worker and beat when Redis answers at REDIS_URL, else runs
tasks in-process; then serves http://127.0.0.1:8000 (RUN_ADDRESS) until Ctrl-C, which stops
the embedded PostgreSQL too. The terminal shows warnings, one line per mail sent, and last a
banner with the demo logins and the address.

The portal runs as its users see it (DEBUG off: the portal's own error pages, collected
static files) with settings safe for plain HTTP on this machine; `DEBUG=1 make run` shows
Django's debug pages instead.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

from p3dn_portal.lib import embedded_pg
from p3dn_portal.lib.env import development_key
from p3dn_portal.lib.health import redis_ok

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _local_production_settings() -> None:
    """DEBUG off, but on http://127.0.0.1 with keys kept in git-ignored files."""
    key_file = ROOT / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    defaults = {
        "SECRET_KEY_FILE": str(key_file.resolve()),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "p3dn_portal.lib.mail.OneLineConsoleEmailBackend",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("BID_SEALING_KEYS"):
        # The same development key as DEBUG=1 and the tests: bids sealed either way open.
        sealing_key_file = ROOT / ".bid_sealing_key"
        development_key(sealing_key_file, lambda: Fernet.generate_key().decode())
        os.environ.setdefault("BID_SEALING_KEYS_FILE", str(sealing_key_file.resolve()))
    _manage("collectstatic", "--noinput", "--verbosity", "0")


def _stop_on_sigterm() -> None:
    """`kill` (SIGTERM) stops everything as Ctrl-C does, worker and beat included."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _celery(*args: str) -> subprocess.Popen:
    """A Celery process that says only what goes wrong (and the mail it sends, one line
    each); when `make run` was started with sudo, as the invoking user, not as root."""
    command = [str(BIN / "celery"), "--quiet", "-A", "p3dn_portal", *args, "--loglevel", "WARNING"]
    if os.geteuid() == 0 and os.environ.get("SUDO_UID"):
        command += ["--uid", os.environ["SUDO_UID"], "--gid", os.environ["SUDO_GID"]]
    return subprocess.Popen(command, cwd=ROOT)


def _outbox_drained(timeout: float = 60.0) -> None:
    """Wait (a while at most) until the demo data's mail has gone out, so that the banner
    is the last thing printed."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(_libpq_url(os.environ["DATABASE_URL"]), autocommit=True) as db:
        while time.monotonic() < deadline:
            (waiting,) = db.execute(
                "SELECT count(*) FROM accounts_outgoingmail WHERE sent_at IS NULL"
            ).fetchone()
            if not waiting:
                return
            time.sleep(0.25)


def _libpq_url(url: str) -> str:
    """dj-database-url's `postgres://user@%2Fsocket%2Fdir/db` as libpq reads it."""
    import dj_database_url

    db = dj_database_url.parse(url)
    parts = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"]}
    parts |= {"host": db["HOST"], "port": db["PORT"]}
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def _answers(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, int(port))) == 0


def _banner(logins: str, *, stops_database: bool) -> str:
    rule = "=" * 78
    stop = "Ctrl-C stops the portal, the worker and beat"
    stop += " and the embedded PostgreSQL." if stops_database else "."
    return f"\n{rule}\n{logins.rstrip()}\n\nPortal: http://{ADDRESS}/   ({stop})\n{rule}\n"


def main() -> int:
    _stop_on_sigterm()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        os.environ["DATABASE_URL"] = embedded_pg.database_url()
        print(f"Database: embedded PostgreSQL in {embedded_pg.DEFAULT_DATA_DIR}")
    else:
        print("Database: DATABASE_URL")
    # Links in mail lead back to this server.
    os.environ.setdefault("SITE_URL", f"http://{ADDRESS}")
    os.environ.setdefault("DEBUG", "0")
    if os.environ["DEBUG"].strip().lower() in ("0", "false", "no", "off", ""):
        _local_production_settings()
    _manage("migrate", "--noinput", "--verbosity", "0")

    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    children: list[subprocess.Popen] = []
    if redis_ok(redis_url):
        schedule = embedded_pg.DEFAULT_DATA_DIR.parent / ".celerybeat-schedule"
        children.append(_celery("worker", "--concurrency", "2"))
        children.append(_celery("beat", "--schedule", str(schedule)))
        print(f"Celery: worker and beat on {redis_url} (warnings only; mail as one line each)")
    else:
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
        print(
            f"Celery: no Redis at {redis_url}; "
            "background jobs run in-process and periodic jobs do not run."
        )

    try:
        # Idempotent; its output (the demo logins) goes into the banner, printed last.
        seeded = subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--force"],
            cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        # Without the autoreloader: its child would outlive a SIGTERM to this process.
        runserver = [sys.executable, "manage.py", "runserver", "--noreload", ADDRESS]
        server = subprocess.Popen(runserver, cwd=ROOT)
        children.append(server)
        deadline = time.monotonic() + 60
        while not _answers(ADDRESS) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if children[:-1]:
            _outbox_drained()
        print(_banner(seeded.stdout, stops_database=embedded), flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        return error.returncode
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=15)
        if embedded:
            embedded_pg.stop()
            print(f"Stopped the embedded PostgreSQL ({embedded_pg.DEFAULT_DATA_DIR}).")


if __name__ == "__main__":
    raise SystemExit(main())
