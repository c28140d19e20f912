"""A private PostgreSQL for `make run` and `make test` when DATABASE_URL is not set.

The server comes from the `pgserver` wheel (PostgreSQL binaries inside a PyPI package), keeps
its data in a git-ignored folder of the checkout, listens only on a Unix socket there, and
keeps running between commands so that the next start takes no time.

    python -m p3dn_portal.lib.embedded_pg url    # start if needed, print DATABASE_URL
    python -m p3dn_portal.lib.embedded_pg stop   # stop it
"""

import sys
import warnings
from pathlib import Path
from urllib.parse import quote

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / ".pgdata"


def _server(data_dir: Path):
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as for root); harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.mkdir(parents=True, exist_ok=True)
        return pgserver.get_server(data_dir, cleanup_mode=None)


def database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Start the embedded server if it is not running and return its DATABASE_URL."""
    info = _server(data_dir).get_postmaster_info()
    if info.socket_dir is not None:
        return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}/postgres"
    return f"postgres://postgres@{info.hostname}:{info.port}/postgres"


def stop(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    import contextlib
    import os
    import subprocess

    if not (data_dir / "postmaster.pid").exists():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    # As root, pgserver runs PostgreSQL as its own system user, since initdb refuses root.
    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        pgserver.pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "url"
    if command == "url":
        print(database_url())
    elif command == "stop":
        stop()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
