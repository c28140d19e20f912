"""Django admin for business matching: Dinas PPKUKM admins set up events (days, breaks,
tables), decide on exhibitors, add and remove meetings, and read what happened.

Every change of a status goes through matching.services: the event's status moves by an
action (or on the dashboard), exhibitors are accepted or rejected by actions, meetings are
added by the add form and removed by an action. Statuses are read-only in every form."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from matching import rules, services
from matching.models import (
    ACTIVE_MEETING_STATES,
    CheckIn,
    Event,
    EventBreak,
    EventDay,
    Meeting,
    MeetingStatus,
    Need,
    Outcome,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    ScheduleRun,
    Slot,
    Suggestion,
)
from matching.rules import EventStatus, Reason
from matching.selectors import unscheduled_reason_text
from p3dn_portal.lib.admin_readonly import ReadOnlyAdminMixin
from p3dn_portal.lib.admin_refusals import RefusalMessageMixin, SaveRefused
from p3dn_portal.lib.admin_search import IndexedSearch
from p3dn_portal.lib.formatting import rupiah
from p3dn_portal.lib.forms import error_text
from procurement.models import OPD
from vendors.admin import (
    SKIPPED,
    HistoryAdmin,
    RejectForm,
    apply_each,
    reject_reason_page,
)
from vendors.models import Product

# Messages -----------------------------------------------------------------------------------

DONE_COUNT = _("{action}: {count} data.")
SLOTS_REBUILT = _("Sesi pertemuan disusun dari hari, jam dan jeda acara: {count} sesi.")
NOT_AN_EXHIBITOR = _("Hanya peserta pameran yang diputuskan lewat aksi ini.")
ALREADY_ACCEPTED = _("Sudah diterima.")
NOTHING_TO_REJECT = _(
    "Tidak ada peserta pameran yang menunggu keputusan di antara yang dipilih; tidak ada yang "
    "diubah."
)
REJECT_TITLE = _("Tolak peserta pameran dengan alasan")
REASON_REQUIRED = _("Tulis alasan penolakan.")
REASON_HELP = _("Penyedia membaca alasan ini di email dan di halaman keikutsertaannya.")
TWO_EVENTS = _("Pembeli dan peserta pameran harus dari acara yang sama.")
MEETING_ADDED = _(
    "Pertemuan {meeting} ditambahkan ke agenda kedua pihak; keduanya diberi tahu. Jalankan "
    "penjadwal untuk memberinya sesi dan meja."
)


def _report(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[models.Model],
    call: Callable[[models.Model], None],
    action: str,
) -> int:
    """Apply `call` to each object and report it as "<action>: <count> data"."""
    return apply_each(
        modeladmin,
        request,
        objects,
        call,
        lambda count: DONE_COUNT.format(action=action, count=count),
    )


def manage_links(event: Event) -> str:
    """Links from the admin to the pages where the event is run."""
    links = [
        ("matching:manage", _("Dasbor")),
        ("matching:schedule", _("Penjadwalan")),
        ("matching:checkin-desk", _("Meja kehadiran")),
        ("matching:table-sheet", _("Lembar meja")),
    ]
    return format_html_join(
        " · ",
        '<a href="{}">{}</a>',
        ((reverse(name, args=[event.pk]), label) for name, label in links),
    )


# Events -------------------------------------------------------------------------------------

# Days, hours and the meeting length may change while the slots can still be rebuilt.
SLOTS_EDITABLE = (EventStatus.DRAFT, EventStatus.REGISTRATION)


class _SlotsRefused(SaveRefused):
    """services.event_slots_rebuild refused: raised out of the admin's transaction so that
    the days and breaks are not saved without their slots."""


class _EventPartInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: Event | None) -> bool:
        return obj is None or obj.status in SLOTS_EDITABLE

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class EventDayInline(_EventPartInline):
    model = EventDay
    fields = ("day", "starts", "ends")


class EventBreakInline(_EventPartInline):
    model = EventBreak
    fields = ("label", "starts", "ends")


def _count(queryset: QuerySet, outer: str = "event") -> Coalesce:
    """A per-event count as a correlated subquery (no join fan-out in the list)."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _move_action(target: EventStatus) -> Callable:
    def action(modeladmin: "EventAdmin", request: HttpRequest, queryset: QuerySet) -> None:
        modeladmin.move(request, queryset, target)

    action.__name__ = f"move_to_{target.value}"
    return admin.action(
        description=format_lazy("{}: {}", _("Ubah status ke"), target.label),
        permissions=["change"],
    )(action)


@admin.register(Event)
class EventAdmin(RefusalMessageMixin, HistoryAdmin):
    list_display = (
        "name",
        "status",
        "first_day",
        "last_day",
        "exhibitors_accepted",
        "buyers",
        "meetings",
        "links",
    )
    list_filter = ("status",)
    search_fields = ("name", "venue")
    search_help_text = _("Cari nama acara atau tempat.")
    inlines = (EventDayInline, EventBreakInline)
    actions = tuple(_move_action(target) for target in EventStatus)
    fieldsets = (
        (None, {"fields": ("name", "venue", "description", "status", "links")}),
        (_("Pendaftaran"), {"fields": ("registration_opens_at", "registration_closes_at")}),
        (
            pgettext_lazy("jamak", "Pertemuan"),
            {
                "fields": (
                    "slot_minutes",
                    "tables",
                    "booth_per_exhibitor",
                    "exhibitor_capacity",
                    "max_meetings_per_participant",
                    "request_expiry_hours",
                )
            },
        ),
        (
            _("Catatan sistem"),
            {"fields": ("suggestions_computed_at", "published_at", "created_by", "created_at")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        participants = Participant.objects.filter(status=ParticipantStatus.ACCEPTED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                first_day_at=Subquery(
                    EventDay.objects.filter(event=OuterRef("pk")).order_by("day").values("day")[:1]
                ),
                last_day_at=Subquery(
                    EventDay.objects.filter(event=OuterRef("pk")).order_by("-day").values("day")[:1]
                ),
                exhibitor_count=_count(participants.filter(kind=ParticipantKind.EXHIBITOR)),
                buyer_count=_count(participants.filter(kind=ParticipantKind.BUYER)),
                meeting_count=_count(Meeting.objects.filter(status__in=ACTIVE_MEETING_STATES)),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Event | None = None) -> tuple:
        fields = (
            "status",
            "links",
            "suggestions_computed_at",
            "published_at",
            "created_by",
            "created_at",
        )
        if obj is not None and obj.status not in SLOTS_EDITABLE:
            fields = (*fields, "slot_minutes")
        return fields

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # An event goes with its participants and meetings: deleted one at a time, as a draft.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        if obj is not None and obj.status != EventStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("hari pertama"), ordering="first_day_at")
    def first_day(self, event: Event):
        return event.first_day_at

    @admin.display(description=_("hari terakhir"), ordering="last_day_at")
    def last_day(self, event: Event):
        return event.last_day_at

    @admin.display(description=_("peserta pameran diterima"), ordering="exhibitor_count")
    def exhibitors_accepted(self, event: Event) -> int:
        return event.exhibitor_count

    @admin.display(description=_("pembeli"), ordering="buyer_count")
    def buyers(self, event: Event) -> int:
        return event.buyer_count

    @admin.display(description=_("pertemuan berlaku"), ordering="meeting_count")
    def meetings(self, event: Event) -> int:
        return event.meeting_count

    @admin.display(description=_("kelola"))
    def links(self, event: Event) -> str:
        if event.pk is None:
            return "—"
        return manage_links(event)

    def save_model(self, request: HttpRequest, obj: Event, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        event = form.instance
        changed = (
            not change
            or "slot_minutes" in form.changed_data
            or any(formset.has_changed() for formset in formsets)
        )
        if not changed or event.status not in SLOTS_EDITABLE:
            return
        try:
            count = services.event_slots_rebuild(event=event)
        except ValidationError as error:
            raise _SlotsRefused(error_text(error)) from error
        self.message_user(request, SLOTS_REBUILT.format(count=count), messages.INFO)

    def move(self, request: HttpRequest, queryset: QuerySet, target: EventStatus) -> None:
        _report(
            self,
            request,
            queryset.order_by("pk"),
            lambda event: services.event_move(event=event, target=target, by=request.user),
            str(format_lazy("{}: {}", _("Ubah status ke"), target.label)),
        )


# Participants -------------------------------------------------------------------------------


class ParticipantAdminForm(forms.ModelForm):
    """Products limited to the exhibitor's own, unavailable slots to the event's."""

    class Meta:
        model = Participant
        fields = ("booth", "note", "products", "unavailable_slots")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        participant = self.instance
        if "products" in self.fields:
            self.fields["products"].queryset = Product.objects.filter(
                vendor_id=participant.vendor_id
            )
        if "unavailable_slots" in self.fields:
            self.fields["unavailable_slots"].queryset = Slot.objects.filter(
                event_id=participant.event_id
            )


class NeedInline(admin.TabularInline):
    model = Need
    extra = 0
    can_delete = False
    fields = ("description", "kbli", "estimated_budget", "fiscal_year", "is_food", "package")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("package")


class ParticipantOpdFilter(admin.SimpleListFilter):
    title = _("OPD pembeli")
    parameter_name = "opd"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return list(OPD.objects.order_by("name").values_list("pk", "short_name"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(officer__opd_id=self.value())
        return queryset


@admin.register(Participant)
class ParticipantAdmin(HistoryAdmin):
    form = ParticipantAdminForm
    list_display = ("name", "kind", "opd", "event", "status", "booth", "created_at")
    list_filter = ("event", "kind", "status", ParticipantOpdFilter)
    search_fields = (
        "vendor__name",
        "officer__user__full_name",
        "officer__opd__name",
        "officer__opd__short_name",
    )
    search_help_text = _("Cari nama penyedia, nama pejabat, atau OPD.")
    list_select_related = ("event", "vendor", "officer__user", "officer__opd")
    actions = ("accept_selected", "reject_with_reason", "withdraw_selected")
    filter_horizontal = ("products", "unavailable_slots")
    reject_template = "admin/matching/reject_with_reason.html"
    readonly_fields = (
        "event",
        "kind",
        "vendor",
        "officer",
        "status",
        "rejection_reason",
        "registered_by",
        "created_at",
        "decided_at",
    )

    def get_fields(self, request: HttpRequest, obj: Participant | None = None) -> tuple:
        if obj is not None and obj.is_buyer:
            return (
                "event",
                "kind",
                "officer",
                "status",
                "note",
                "unavailable_slots",
                "registered_by",
                "created_at",
                "decided_at",
            )
        return (
            "event",
            "kind",
            "vendor",
            "status",
            "rejection_reason",
            "booth",
            "products",
            "note",
            "unavailable_slots",
            "registered_by",
            "created_at",
            "decided_at",
        )

    def get_inlines(self, request: HttpRequest, obj: Participant | None) -> list:
        return [NeedInline] if obj is not None and obj.is_buyer else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Vendors apply and officers register in the portal, within the registration window.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Participant | None = None) -> bool:
        return False

    @admin.display(description=_("nama"), ordering="vendor__name")
    def name(self, participant: Participant) -> str:
        return participant.name

    @admin.display(description=_("OPD"), ordering="officer__opd__short_name")
    def opd(self, participant: Participant) -> str:
        return participant.officer.opd.short_name if participant.officer_id else "—"

    @admin.action(description=_("Terima sebagai peserta pameran"), permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        chosen, skipped = [], defaultdict(list)
        for participant in queryset.select_related("vendor", "officer__user", "officer__opd"):
            if participant.kind != ParticipantKind.EXHIBITOR:
                skipped[str(NOT_AN_EXHIBITOR)].append(participant.name)
            elif participant.status == ParticipantStatus.ACCEPTED:
                skipped[str(ALREADY_ACCEPTED)].append(participant.name)
            else:
                chosen.append(participant)
        if chosen:
            try:
                count = services.exhibitors_decide(
                    participants=chosen, accept=True, by=request.user
                )
            except ValidationError as error:
                # All or none: the capacity is checked for the whole selection.
                self.message_user(request, error_text(error), messages.ERROR)
                return
            self.message_user(
                request,
                DONE_COUNT.format(action=_("Diterima"), count=count),
                messages.SUCCESS,
            )
        for reason, names in skipped.items():
            self.message_user(
                request,
                SKIPPED.format(count=len(names), names=", ".join(names), reason=reason),
                messages.WARNING,
            )

    @admin.action(description=_("Tolak peserta pameran dengan alasan"), permissions=["change"])
    def reject_with_reason(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        objects = list(queryset.select_related("event", "vendor", "officer__user", "officer__opd"))
        pending = [
            p
            for p in objects
            if p.kind == ParticipantKind.EXHIBITOR and p.status == ParticipantStatus.APPLIED
        ]
        if not pending:
            self.message_user(request, NOTHING_TO_REJECT, messages.WARNING)
            return None
        form = RejectForm(
            request.POST if "apply" in request.POST else None,
            help_text=REASON_HELP,
            required=REASON_REQUIRED,
        )
        if form.is_valid():
            count = services.exhibitors_decide(
                participants=pending,
                accept=False,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            self.message_user(
                request, DONE_COUNT.format(action=_("Ditolak"), count=count), messages.SUCCESS
            )
            return None
        return reject_reason_page(
            self, request, form=form, objects=objects, pending=pending, title=REJECT_TITLE
        )

    @admin.action(description=_("Mundurkan dari acara"), permissions=["change"])
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _report(
            self,
            request,
            queryset.exclude(status=ParticipantStatus.WITHDRAWN).select_related(
                "vendor", "officer__user", "officer__opd"
            ),
            lambda p: services.participant_withdraw(participant=p, by=request.user),
            str(_("Mundur")),
        )


# Meetings -----------------------------------------------------------------------------------


class _MeetingRefused(SaveRefused):
    """services.meeting_admin_add refused the pair: nothing is saved, the form is shown again
    with the choice kept."""


def _accepted(kind: str) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(
            kind=kind,
            status=ParticipantStatus.ACCEPTED,
            event__status__in=rules.REQUEST_STATES,
        )
        .select_related("event", "vendor", "officer__user", "officer__opd")
        .order_by("event", "vendor__name", "officer__user__full_name")
    )


class MeetingAddForm(forms.ModelForm):
    """An admin adds a meeting between two accepted participants of one event."""

    class Meta:
        model = Meeting
        fields = ("buyer", "exhibitor", "note", "priority")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (
            ("buyer", ParticipantKind.BUYER),
            ("exhibitor", ParticipantKind.EXHIBITOR),
        ):
            field = self.fields[name]
            field.queryset = _accepted(kind)
            field.label_from_instance = lambda p: f"{p.name} — {p.event}"

    def clean(self) -> dict:
        cleaned = super().clean()
        buyer, exhibitor = cleaned.get("buyer"), cleaned.get("exhibitor")
        if buyer and exhibitor and buyer.event_id != exhibitor.event_id:
            raise ValidationError(TWO_EVENTS, code="two_events")
        return cleaned

    def validate_unique(self) -> None:
        # The service checks the pair (and says so in its own words).
        pass


class ReasonFilter(admin.SimpleListFilter):
    title = _("belum terjadwal")
    parameter_name = "belum_terjadwal"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("ya", _("disetujui, belum punya sesi"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "ya":
            return queryset.filter(status=MeetingStatus.ACCEPTED, slot__isnull=True)
        return queryset


class MeetingChangeList(ChangeList):
    """The meetings of a page with their buyers (officer, user, OPD) and exhibitors (vendor),
    one query each side."""

    def apply_select_related(self, qs: QuerySet) -> QuerySet:
        return (
            super()
            .apply_select_related(qs)
            .prefetch_related(
                Prefetch(
                    "buyer",
                    queryset=Participant.objects.select_related("officer__user", "officer__opd"),
                ),
                Prefetch("exhibitor", queryset=Participant.objects.select_related("vendor")),
            )
        )


@admin.register(Meeting)
class MeetingAdmin(IndexedSearch, RefusalMessageMixin, HistoryAdmin):
    list_display = (
        "pk",
        "buyer_name",
        "exhibitor_name",
        "event",
        "status",
        "requested_by",
        "slot",
        "table",
        "locked",
        "reason",
    )
    # One link a row: each link is resolved again to keep the list's filters in it.
    list_display_links = ("buyer_name",)
    list_filter = ("event", "status", "requested_by", "locked", ReasonFilter)
    search_fields = (
        "buyer__officer__user__full_name",
        "buyer__officer__opd__name",
        "buyer__officer__opd__short_name",
        "exhibitor__vendor__name",
        "note",
    )
    search_help_text = _("Cari nama pejabat, OPD, nama penyedia, atau pesan.")
    # The event's participants that match first, then its meetings by their keys: searching
    # through the joins read every user and vendor of the register (issue 19).
    text_fields = ("note",)
    related_text_fields = (
        "buyer__officer__user__full_name",
        "buyer__officer__opd__name",
        "buyer__officer__opd__short_name",
        "exhibitor__vendor__name",
    )
    # The newest first, through the primary key: the model's order (slot, table) sorts every
    # meeting of every event joined with its participants for each page.
    ordering = ("-pk",)
    # Rendering a row costs more than reading it: 25 rows of ten columns, each row its
    # checkbox, links and icons, cost as much as the rest of the page (issue 19).
    list_per_page = 25
    # The event and slot joined; the two sides of the page's meetings read by their keys
    # beside it (MeetingChangeList): the one query that joined all eight tables took
    # PostgreSQL longer to plan than to answer.
    list_select_related = ("event", "slot")
    actions = ("remove_selected", "lock_selected", "unlock_selected", "reopen_selected")
    fields = (
        "event",
        "buyer",
        "exhibitor",
        "need",
        "status",
        "requested_by",
        "requested_by_user",
        "note",
        "response_note",
        "created_at",
        "expires_at",
        "responded_at",
        "slot",
        "table",
        "locked",
        "why_unscheduled",
        "priority",
    )

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return MeetingChangeList

    def get_form(
        self, request: HttpRequest, obj: Meeting | None = None, change: bool = False, **kwargs
    ):
        if obj is None:
            kwargs["form"] = MeetingAddForm
            kwargs["fields"] = MeetingAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Meeting | None = None) -> tuple:
        if obj is None:
            return MeetingAddForm.Meta.fields
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Meeting | None = None) -> tuple:
        if obj is None:
            return ()
        return tuple(name for name in self.fields if name != "priority")

    def has_delete_permission(self, request: HttpRequest, obj: Meeting | None = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {
            key: request.GET[key]
            for key in ("buyer", "exhibitor", "note", "priority")
            if key in request.GET
        }

    @admin.display(description=_("pembeli"), ordering="buyer__officer__user__full_name")
    def buyer_name(self, meeting: Meeting) -> str:
        return meeting.buyer.name

    @admin.display(description=_("peserta pameran"), ordering="exhibitor__vendor__name")
    def exhibitor_name(self, meeting: Meeting) -> str:
        return meeting.exhibitor.name

    @admin.display(description=_("alasan belum terjadwal"))
    def reason(self, meeting: Meeting) -> str:
        if meeting.status != MeetingStatus.ACCEPTED or meeting.slot_id:
            return ""
        return unscheduled_reason_text(meeting.unscheduled_reason)

    @admin.display(description=_("alasan belum terjadwal"))
    def why_unscheduled(self, meeting: Meeting) -> str:
        return self.reason(meeting) or "—"

    def save_form(self, request: HttpRequest, form, change: bool):
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        try:
            return services.meeting_admin_add(
                buyer=data["buyer"],
                exhibitor=data["exhibitor"],
                by=request.user,
                note=data.get("note") or "",
                priority=data.get("priority") or 1,
            )
        except ValidationError as error:
            raise _MeetingRefused(
                error_text(error),
                {
                    "buyer": data["buyer"].pk,
                    "exhibitor": data["exhibitor"].pk,
                    "note": data.get("note") or "",
                    "priority": data.get("priority") or 1,
                },
            ) from error

    def save_model(self, request: HttpRequest, obj: Meeting, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        # Added: the service has saved it already.

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if change:  # a meeting has no many-to-many fields; the service saved the new one
            super().save_related(request, form, formsets, change)

    def response_add(self, request: HttpRequest, obj: Meeting, post_url_continue=None):
        self.message_user(request, MEETING_ADDED.format(meeting=obj), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:matching_meeting_change", args=[obj.pk]))

    def _report_meetings(self, request: HttpRequest, queryset: QuerySet, act, done: str) -> None:
        """Apply a service to each selected meeting and report what was done or refused
        (meeting names need both sides, fetched once)."""
        meetings = queryset.select_related(
            "buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor"
        )
        _report(self, request, meetings, act, done)

    @admin.action(
        description=_("Hapus dari agenda (beri tahu kedua pihak)"), permissions=["change"]
    )
    def remove_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report_meetings(
            request,
            queryset,
            lambda meeting: services.meeting_remove(meeting=meeting, by=request.user),
            str(_("Dihapus dari agenda")),
        )

    @admin.action(description=_("Kunci sesi dan meja"), permissions=["change"])
    def lock_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report_meetings(
            request,
            queryset,
            lambda meeting: services.meeting_lock(meeting=meeting, locked=True, by=request.user),
            str(_("Dikunci")),
        )

    @admin.action(description=_("Lepas kunci"), permissions=["change"])
    def unlock_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report_meetings(
            request,
            queryset,
            lambda meeting: services.meeting_lock(meeting=meeting, locked=False, by=request.user),
            str(_("Kunci dilepas")),
        )

    @admin.action(description=_("Jadwalkan ulang pertemuan tidak hadir"), permissions=["change"])
    def reopen_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report_meetings(
            request,
            queryset,
            lambda meeting: services.meeting_reopen(meeting=meeting, by=request.user),
            str(_("Kembali menunggu jadwal")),
        )


# Read-only records --------------------------------------------------------------------------


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Records the portal writes (suggestions, runs, check-ins): shown, never edited."""


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("buyer", "need", "exhibitor_name", "product", "score", "reason_list")
    list_filter = (("need__participant__event", admin.RelatedOnlyFieldListFilter),)
    search_fields = (
        "need__description",
        "product__name",
        "exhibitor__vendor__name",
        "need__participant__officer__opd__name",
    )
    list_select_related = (
        "need__participant__officer__user",
        "need__participant__officer__opd",
        "exhibitor__vendor",
        "product",
    )

    @admin.display(description=_("pembeli"))
    def buyer(self, suggestion: Suggestion) -> str:
        return suggestion.need.participant.name

    @admin.display(description=_("peserta pameran"), ordering="exhibitor__vendor__name")
    def exhibitor_name(self, suggestion: Suggestion) -> str:
        return suggestion.exhibitor.vendor.name

    @admin.display(description=_("alasan"))
    def reason_list(self, suggestion: Suggestion) -> str:
        labels = dict(Reason.choices)
        return "; ".join(str(labels.get(code, code)) for code in suggestion.reasons)


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "event",
        "status",
        "keep_current",
        "requested_by",
        "requested_at",
        "requests",
        "placed",
        "upper_bound",
        "page",
    )
    list_filter = ("status", "event")
    search_fields = ("event__name",)
    list_select_related = ("event", "requested_by")

    @admin.display(description=_("hasil"))
    def page(self, run: ScheduleRun) -> str:
        url = reverse("matching:schedule-run", args=[run.event_id, run.pk])
        return format_html('<a href="{}">{}</a>', url, _("Lihat"))


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    """Recorded at the check-in desk; a mistaken check-in may be deleted."""

    list_display = ("participant", "event", "day", "at", "by")
    list_filter = (("participant__event", admin.RelatedOnlyFieldListFilter), "day")
    search_fields = (
        "participant__vendor__name",
        "participant__officer__user__full_name",
        "participant__officer__opd__name",
    )
    list_select_related = (
        "participant__event",
        "participant__vendor",
        "participant__officer__user",
        "participant__officer__opd",
        "by",
    )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super(ReadOnlyAdminMixin, self).has_delete_permission(request, obj)

    @admin.display(description=_("acara"))
    def event(self, checkin: CheckIn) -> Event:
        return checkin.participant.event


@admin.register(Outcome)
class OutcomeAdmin(HistoryAdmin):
    """Recorded by the buyer or an admin on the meeting's outcome page; here only the notes
    may be corrected, with the history of every change."""

    list_display = (
        "meeting",
        "interest",
        "value",
        "follow_up",
        "package",
        "recorded_by",
        "recorded_at",
        "outcome_page",
    )
    list_filter = (("meeting__event", admin.RelatedOnlyFieldListFilter), "interest", "follow_up")
    search_fields = (
        "meeting__buyer__officer__user__full_name",
        "meeting__buyer__officer__opd__name",
        "meeting__exhibitor__vendor__name",
        "package__rup_code",
        "catalogue_order_ref",
    )
    list_select_related = (
        "meeting__buyer__officer__user",
        "meeting__buyer__officer__opd",
        "meeting__exhibitor__vendor",
        "package",
        "recorded_by",
    )
    fields = (
        "meeting",
        "interest",
        "estimated_value",
        "products",
        "follow_up",
        "catalogue_order_ref",
        "package",
        "notes",
        "recorded_by",
        "recorded_at",
        "outcome_page",
    )
    readonly_fields = tuple(name for name in fields if name != "notes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Outcome | None = None) -> bool:
        return False

    @admin.display(description=_("perkiraan nilai"), ordering="estimated_value")
    def value(self, outcome: Outcome) -> str:
        return rupiah(outcome.estimated_value) or "—"

    @admin.display(description=_("halaman hasil"))
    def outcome_page(self, outcome: Outcome) -> str:
        url = reverse("matching:outcome", args=[outcome.meeting_id])
        return format_html('<a href="{}">{}</a>', url, _("Ubah hasil"))
