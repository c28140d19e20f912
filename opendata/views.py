"""Public open data: the page that explains it, the full OCDS release package (per fiscal
year or all), one package's OCDS record, and our extension's files. No login needed."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from opendata import ocds
from procurement.models import Package
from procurement.selectors import unpublished

EXTENSION_DIR = Path(settings.BASE_DIR) / "docs" / "ocds-extension"
EXTENSION_FILES = frozenset({"extension.json", "release-schema.json"})
# Downloads are generated on request; proxies and browsers may keep them for an hour.
DOWNLOAD_MAX_AGE = 60 * 60


@login_not_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    published = Package.objects.exclude(unpublished())
    years = sorted(
        published.values_list("fiscal_year", flat=True).distinct().order_by(), reverse=True
    )
    return render(
        request,
        "opendata/index.html",
        {
            "years": years,
            "ocds_prefix": settings.OCDS_PREFIX,
            "license_url": ocds.LICENSE_URL,
            "bid_extension_url": ocds.BID_EXTENSION_URL,
        },
    )


@login_not_required
@require_safe
@cache_control(public=True, max_age=DOWNLOAD_MAX_AGE)
def download(request: HttpRequest, year: int | None = None) -> StreamingHttpResponse:
    """The release package of every published package (of one fiscal year), streamed."""
    name = f"p3dn-ocds-{year}.json" if year else "p3dn-ocds.json"
    uri = request.build_absolute_uri()
    response = StreamingHttpResponse(
        ocds.stream_release_package(uri=uri, year=year),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_not_required
@require_safe
def package_json(request: HttpRequest, package_id: int) -> HttpResponse:
    """One package's OCDS record: its releases and the compiled current state; drafts do
    not exist here."""
    package = ocds.published_package(package_id)
    if package is None:
        raise Http404
    data = ocds.record_package(package=package, uri=request.build_absolute_uri())
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )


@login_not_required
@require_safe
def extension(request: HttpRequest, name: str) -> FileResponse:
    """Our OCDS extension, at the URL the packages declare."""
    if name not in EXTENSION_FILES:
        raise Http404
    return FileResponse(
        (EXTENSION_DIR / name).open("rb"), content_type="application/json; charset=utf-8"
    )
