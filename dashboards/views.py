from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from dashboards import exports, funnel_exports, funnel_selectors, selectors
from dashboards.forms import FilterForm
from freshness import topics
from freshness.cache import cached
from p3dn_portal.lib.fragments import filter_form_html
from procurement.models import OPD
from procurement.rules import Category, Method

NOT_FOR_YOU = gettext_lazy(
    "Dasbor program hanya untuk admin Dinas PPKUKM dan pejabat OPD. Buka beranda Anda dari menu."
)
BAD_FILTERS = gettext_lazy(
    "Filter tidak dapat dipakai: perbaiki isian yang ditandai, lalu tampilkan lagi."
)
FORMATS = ("html", "csv", "xlsx")


def _own_opd(request: HttpRequest) -> OPD | None:
    """None for an admin (every OPD); an officer's own OPD; 403 for anyone else."""
    user = request.user
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.OFFICER:
        return user.opd_officer.opd
    raise PermissionDenied(NOT_FOR_YOU)


def _scope(filters: selectors.Filters, opd: OPD | None, form: FilterForm) -> list[tuple[str, str]]:
    """The filters in words: the page's heading and the first rows of each download."""
    chosen_opd = opd or form.cleaned_data.get("opd")
    quarter = dict(form.fields["quarter"].choices).get(str(filters.quarter or ""), "")
    return [
        (_("Tahun anggaran"), str(filters.year)),
        (_("OPD"), chosen_opd.name if chosen_opd else _("Semua OPD")),
        (
            _("Jenis pengadaan"),
            Category(filters.category).label if filters.category else _("Semua jenis"),
        ),
        (
            _("Metode pemilihan"),
            Method(filters.method).label if filters.method else _("Semua metode"),
        ),
        (_("Triwulan"), str(quarter)),
    ]


def dashboard(request: HttpRequest, fmt: str = "") -> HttpResponse:
    """Programme figures for a fiscal year: an admin sees every OPD (or one, by filter); an
    officer sees their own OPD whatever the URL says. `?format=csv|xlsx` downloads them."""
    opd = _own_opd(request)
    fmt = fmt or request.GET.get("format") or "html"
    if fmt not in FORMATS:
        fmt = "html"
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = FilterForm(data, opd_fixed=opd is not None)
    if not form.is_valid():
        if fmt != "html":
            errors = " ".join(e for field in form.errors.values() for e in field)
            return HttpResponse(
                f"{BAD_FILTERS} {errors}", status=400, content_type="text/plain; charset=utf-8"
            )
        return render(
            request,
            "dashboards/dashboard.html",
            {"form": form, "opd": opd, "bad_filters": BAD_FILTERS},
            status=400,
        )
    filters = form.filters(opd_id=opd.pk if opd else None)
    scope = _scope(filters, opd, form)
    if fmt != "html":
        procurement, vendors, matching = selectors.current_figures(filters)
        rows = exports.figure_rows(
            scope=scope, procurement=procurement, vendors=vendors, matching=matching
        )
        rows += funnel_exports.funnel_rows(funnel_selectors.current_funnel(filters))
        name = f"dasbor-p3dn-{filters.year}"
        if fmt == "csv":
            response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
        else:
            title = _("Dasbor P3DN %(year)s") % {"year": filters.year}
            response = HttpResponse(
                exports.to_workbook(rows, title=title),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    filter_form = filter_form_html(
        "dashboards/filter_form.html", form, topics=(topics.PROCUREMENT,), parts=(opd is not None,)
    )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "filter_form": filter_form,
            "opd": opd,
            "scope": scope,
            "figures": _figures_html(request, filters, opd),
            "query": query.urlencode(),
            "computed_at": timezone.now(),
        },
    )


def _figures_html(request: HttpRequest, filters: selectors.Filters, opd: OPD | None) -> str:
    """The figures as HTML, rendered once per state of the data they are computed from."""

    def render_figures() -> str:
        procurement, vendors, matching = selectors.current_figures(filters)
        return render_to_string(
            "dashboards/figures.html",
            {
                "opd": opd,
                "filters": filters,
                "procurement": procurement,
                "total_rows": exports.realisation_rows(procurement.total, prefix="total"),
                "vendors": vendors,
                "matching": matching,
                "funnel": funnel_selectors.current_funnel(filters),
            },
            request=request,
        )

    return cached(
        "dashboard-figures",
        render_figures,
        topics=(topics.PROCUREMENT, topics.CATALOGUE, topics.MATCHING, topics.CONTRACTS),
        parts=(filters, timezone.localdate(), opd is not None),
    )
