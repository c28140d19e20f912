"""Gunicorn's settings for the portal in production (the Dockerfile and `make bench` use it).

Sync workers: each request holds a worker for its whole length, and every request here is
short (database and templates, no long polling). WEB_CONCURRENCY sets their number; the
default, one per core, fits a machine that also runs PostgreSQL (`make bench` on 2 cores:
246 requests/s with 2 workers, 201 with 4, 170 with 6). Each worker keeps its own persistent
database connection (CONN_MAX_AGE), so workers x machines must stay under PostgreSQL's
max_connections, or go through PgBouncer (see the README)."""

import os

wsgi_app = "p3dn_portal.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
worker_class = "sync"
# The app is loaded once in the master and shared copy-on-write by the workers.
preload_app = True
# A worker is replaced after this many requests (plus jitter), keeping memory flat; not
# more often, as a new worker starts with cold caches (templates, connections).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
backlog = 2048


def when_ready(server) -> None:
    """Once the master has loaded the app: a missing bid-sealing key is an error in the log at
    every start (procurement.sealing_keys), days before a deadline. Run here, not when the
    WSGI module is imported (importing a module must not touch the database); the master's
    connection is closed before the workers fork so that none inherits it."""
    from django.db import connections

    from procurement.sealing_keys import log_keys_check

    log_keys_check()
    connections.close_all()
