import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.models import Role
from p3dn_portal.lib import health
from procurement import sealing_keys

logger = logging.getLogger(__name__)


@login_not_required
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after logging in: the place their role works in (an admin's is the
    programme dashboard, a link away from Django admin both ways)."""
    destination = {
        Role.VENDOR: "vendors:home",
        Role.OFFICER: "procurement:home",
        Role.ADMIN: "dashboards:home",
    }.get(request.user.role, "vendors:register")  # no role yet: a vendor applicant
    return redirect(destination)


def _sealing_keys_ok() -> bool | None:
    try:
        problem = sealing_keys.keys_check()
    except DatabaseError:
        return None
    if problem:
        logger.error(problem)
    return problem is None


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": health.database_ok(),
        "redis": health.redis_ok(settings.REDIS_URL),
    }
    # Whether the configured keys open every stored bid: a key lost is reported here days
    # before a deadline. Unknowable while the database is down ("unknown", not "down").
    sealing = _sealing_keys_ok() if checks["database"] else None
    down = sorted(name for name, ok in checks.items() if not ok)
    if sealing is False:
        down.append("bid_sealing_keys")
    body = {
        "status": "down" if down else "ok",
        "checks": {
            **{name: "ok" if ok else "down" for name, ok in checks.items()},
            "bid_sealing_keys": {True: "ok", False: "down", None: "unknown"}[sealing],
        },
        "down": down,
    }
    return JsonResponse(body, status=503 if down else 200)
