"""The auditor's view in Django admin: the log, read only, filterable and searchable, each
entry's before and after as a table, and the (filtered) list as a spreadsheet. Nobody adds,
changes or deletes an entry here (the database refuses it anyway)."""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit import exports
from audit.display import value_text
from audit.models import AuditEntry
from audit.services import change_label
from p3dn_portal.lib.admin_lookups import DeclaredLookupsOnly, bad_request
from p3dn_portal.lib.admin_readonly import ReadOnlyAdminMixin
from p3dn_portal.lib.formatting import jakarta

DETAIL_ROWS_MAX = 1000
MORE_IN_EXPORT = _("… dan {count} perubahan lain: lihat unduhan XLSX.")
NO_CHANGES = _("Tidak ada nilai yang berubah.")
EXPORT_FILTER_INVALID = _(
    "Saringan pada tautan unduhan ini tidak berlaku. Buka lagi Log audit, saring, lalu unduh."
)


# What the log hides, each said by the app whose secret it is (procurement: the rows of a
# sealed bid, which is its bidder's alone until opened): conditions on AuditEntry, which the
# apps' admin modules add with hide_entries. The log imports none of them.
_hidden: list[Callable[[], Q]] = []


def hide_entries(condition: Callable[[], Q]) -> None:
    """Leave out of the log, its pages and its export, the entries `condition()` matches."""
    _hidden.append(condition)


def visible_entries(queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    """The log without what an app hides from it (see hide_entries)."""
    for condition in _hidden:
        queryset = queryset.exclude(condition())
    return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(DeclaredLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    # What an admin scans: when, what, on which object, by whom, and the change in short;
    # the object's type (a filter too), the job, the note and the values are on the entry.
    list_display = ("when", "action", "object_link", "actor_or_job", "summary_text")
    list_filter = (
        "action",
        "object_type",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "job",
    )
    date_hierarchy = "at"
    search_fields = ("object_label", "actor_label")
    search_help_text = _("Cari nama objek, email pelaku, atau ID objek (angka).")
    list_per_page = 50
    show_full_result_count = False
    actions = ("export_selected",)
    fields = (
        "when",
        "who",
        "action",
        "object_type",
        "object_id",
        "object_link",
        "package",
        "note",
        "changes_table",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        # A schedule run's entry holds thousands of placements: not read for the list.
        return visible_entries(super().get_queryset(request)).defer("changes")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            queryset |= self.get_queryset(request).filter(object_id=int(term))
        return queryset, duplicates

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        return actions if self.has_view_permission(request) else {}

    @admin.display(description=_("ringkasan"))
    def summary_text(self, entry: AuditEntry) -> str:
        return entry.summary_text

    @admin.display(description=_("pelaku"), ordering="actor_label")
    def who(self, entry: AuditEntry) -> str:
        return entry.who

    @admin.display(description=_("waktu"), ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return jakarta(entry.at)

    @admin.display(description=_("pelaku"), ordering="actor_label")
    def actor_or_job(self, entry: AuditEntry) -> str:
        """The actor's email, or the background job when no one acted (both on the entry)."""
        return entry.actor_label or entry.get_job_display()

    @admin.display(description=_("objek"), ordering="object_label")
    def object_link(self, entry: AuditEntry) -> str:
        app_label, model = entry.object_type.split(".")
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[entry.object_id])
        except NoReverseMatch:
            return f"{entry.object_label} (#{entry.object_id})"
        return format_html('<a href="{}">{}</a> (#{})', url, entry.object_label, entry.object_id)

    @admin.display(description=_("sebelum dan sesudah"))
    def changes_table(self, entry: AuditEntry) -> str:
        items = list(entry.changes.items())
        if not items:
            return NO_CHANGES
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    change_label(entry.object_type, key),
                    value_text(entry.object_type, key, before),
                    value_text(entry.object_type, key, after),
                )
                for key, (before, after) in items[:DETAIL_ROWS_MAX]
            ),
        )
        more = len(items) - DETAIL_ROWS_MAX
        return format_html(
            "<table class='audit-changes'><thead><tr><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            _("Kolom"),
            _("Sebelum"),
            _("Sesudah"),
            rows,
            MORE_IN_EXPORT.format(count=more) if more > 0 else "",
        )

    # Export ---------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "unduh-xlsx/",
            self.admin_site.admin_view(self.export_view),
            name="audit_auditentry_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered and searched on the page, every row of it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        problem = self.list_parameters_problem(request)
        if problem is not None:
            return bad_request(problem)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return bad_request(EXPORT_FILTER_INVALID)
        return self._xlsx(changelist.queryset)

    @admin.action(description=_("Unduh yang dipilih (XLSX)"))
    def export_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._xlsx(queryset)

    def _xlsx(self, queryset: QuerySet[AuditEntry]) -> HttpResponse:
        content = exports.audit_workbook(queryset.defer(None).order_by("-at", "-pk"))
        response = HttpResponse(content, content_type=exports.XLSX)
        filename = f"log-audit-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
