"""What a Django admin list accepts in its query string: its own declared filters, its date
hierarchy (within the calendar), and nothing else.

Django's admin applies any one-step lookup through a relation that a URL names
(`?bids=1`, `?bids__isnull=False`): the filter itself is refused nowhere, and the list then
tells which packages and vendors have a bid, sealed or not. Every admin of the portal (the
admin site mixes `DeclaredLookupsOnly` into each registered ModelAdmin, third-party ones
included) takes only the parameters its list filters, its date hierarchy and Django's own
list controls send, and answers anything else with 400 and a message."""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

LOOKUP_REFUSED = _(
    "Daftar ini tidak dapat disaring dengan “{key}”. Pakai saringan di samping daftar, atau "
    "buka lagi halaman daftar dari menu admin."
)
DATE_OUT_OF_RANGE = _(
    "Tanggal pada tautan ini tidak ada di kalender (tahun 1 sampai 9998, bulan 1 sampai 12, "
    "tanggal 1 sampai 31). Pilih tanggal dari daftar di atas tabel."
)

# What Django's field list filters put after the field's path (RelatedFieldListFilter adds
# the target field, `opd__id__exact`; DateFieldListFilter a range; EmptyFieldListFilter
# `__isempty`).
_FILTER_SUFFIXES = ("exact", "isnull", "gte", "lt", "isempty")
# Django's own list controls: sorting, search, facets, popups, the page and the error flag.
LIST_CONTROLS = frozenset({*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG})
# The date hierarchy's parts and their bounds: the year of the range's end, year + 1, must
# exist too (Django computes it without catching the error).
DATE_PARTS = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def bad_request(message: str) -> HttpResponse:
    """The refusal of a request no admin page sends: 400 with what to do instead."""
    return HttpResponse(str(message), status=400, content_type="text/plain; charset=utf-8")


def _filter_path(filter_item: object) -> tuple[str | None, str | None]:
    """(field path, parameter name) of one entry of list_filter."""
    if isinstance(filter_item, type) and issubclass(filter_item, admin.SimpleListFilter):
        return None, filter_item.parameter_name
    if isinstance(filter_item, list | tuple):
        filter_item = filter_item[0]
    if isinstance(filter_item, str):
        return filter_item, None
    return None, None


def _field_parameters(model: type[models.Model], path: str) -> set[str]:
    names = {f"{path}__{suffix}" for suffix in _FILTER_SUFFIXES}
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if getattr(field, "path_infos", None):
            model = field.path_infos[-1].to_opts.model
    if field is not None and field.is_relation:
        target = getattr(field, "target_field", None)
        names.add(f"{path}__{target.name if target is not None else 'pk'}__exact")
    return names


class DeclaredLookupsOnly:
    """For every ModelAdmin: the list takes its declared filters' parameters only."""

    def declared_lookups(self, request: HttpRequest | None) -> set[str]:
        allowed: set[str] = set()
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for filter_item in list_filter:
            path, parameter = _filter_path(filter_item)
            if parameter:
                allowed.add(parameter)
            if path:
                allowed |= _field_parameters(self.model, path)
        if self.date_hierarchy:
            allowed |= {f"{self.date_hierarchy}__{part}" for part in DATE_PARTS}
        return allowed

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The raw-id popups of a ForeignKey's limit_choices_to (Django's own exception).
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return lookup in self.declared_lookups(request)

    def list_parameters_problem(self, request: HttpRequest) -> str | None:
        """Why the list cannot take this query string, or None when it can."""
        for key, values in request.GET.lists():
            if key in LIST_CONTROLS:
                continue
            if not all(self.lookup_allowed(key, value, request) for value in values):
                return str(LOOKUP_REFUSED).format(key=key[:100])
        if self.date_hierarchy:
            for part, (low, high) in DATE_PARTS.items():
                for value in request.GET.getlist(f"{self.date_hierarchy}__{part}"):
                    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
                        return str(DATE_OUT_OF_RANGE)
        return None

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        # Who may not see the list is refused first (403), whatever the query says.
        problem = (
            self.list_parameters_problem(request)
            if self.has_view_or_change_permission(request)
            else None
        )
        if problem is not None:
            return bad_request(problem)
        return super().changelist_view(request, extra_context)
