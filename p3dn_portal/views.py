from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.models import Role
from p3dn_portal.lib import health


@login_not_required
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after logging in: the place their role works in."""
    destination = {
        Role.VENDOR: "vendors:home",
        Role.OFFICER: "procurement:home",
        Role.ADMIN: "admin:index",
    }.get(request.user.role, "vendors:register")  # no role yet: a vendor applicant
    return redirect(destination)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": health.database_ok(),
        "redis": health.redis_ok(settings.REDIS_URL),
    }
    down = sorted(name for name, ok in checks.items() if not ok)
    body = {
        "status": "down" if down else "ok",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
        "down": down,
    }
    return JsonResponse(body, status=503 if down else 200)
