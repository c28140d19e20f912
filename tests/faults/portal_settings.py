"""The portal as it runs in production (DEBUG off, persistent connections with health
checks), for the gunicorn the PostgreSQL restart test runs: only static files are served
unhashed, as a test has no collectstatic manifest."""

from p3dn_portal.settings import *  # noqa: F403
from p3dn_portal.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
