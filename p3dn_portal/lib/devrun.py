"""`make run`: the whole portal on one machine, with nothing installed but Python.

Uses DATABASE_URL when set, else starts the embedded PostgreSQL; migrates; loads the demo
data (idempotent); starts a Celery worker and beat when Redis answers at REDIS_URL, else runs
tasks in-process; then serves http://127.0.0.1:8000 until Ctrl-C.

The portal runs as its users see it (DEBUG off: the portal's own error pages, collected
static files) with settings safe for plain HTTP on this machine; `DEBUG=1 make run` shows
Django's debug pages instead.
"""

import os
import secrets
import signal
import subprocess
import sys
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
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
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


def main() -> int:
    _stop_on_sigterm()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_pg.database_url()
        print(f"Database: embedded PostgreSQL in {embedded_pg.DEFAULT_DATA_DIR}")
    else:
        print("Database: DATABASE_URL")
    # Links in mail lead back to this server.
    os.environ.setdefault("SITE_URL", f"http://{ADDRESS}")
    os.environ.setdefault("DEBUG", "0")
    if os.environ["DEBUG"].strip().lower() in ("0", "false", "no", "off", ""):
        _local_production_settings()
    _manage("migrate", "--noinput")

    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    children: list[subprocess.Popen] = []
    if redis_ok(redis_url):
        celery = [str(BIN / "celery"), "-A", "p3dn_portal"]
        children.append(
            subprocess.Popen(
                [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], cwd=ROOT
            )
        )
        schedule = embedded_pg.DEFAULT_DATA_DIR.parent / ".celerybeat-schedule"
        children.append(
            subprocess.Popen(
                [*celery, "beat", "--loglevel", "INFO", "--schedule", str(schedule)], cwd=ROOT
            )
        )
        print(f"Celery: worker and beat started on {redis_url}")
    else:
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
        print(
            f"Celery: no Redis at {redis_url}; "
            "background jobs run in-process and periodic jobs do not run."
        )

    try:
        _manage("seed_demo", "--force")  # idempotent; ends with the demo logins
        print(f"Portal: http://{ADDRESS}/  (Ctrl-C stops everything)", flush=True)
        _manage("runserver", ADDRESS)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as error:
        return error.returncode
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
