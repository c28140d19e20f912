from django.urls import path

from matching.views import event_day, manage, participant

app_name = "matching"

urlpatterns = [
    # Everyone: the events; vendors and officers: taking part.
    path("", participant.events, name="events"),
    path("<int:event_id>/", participant.event_detail, name="event-detail"),
    path("<int:event_id>/pameran/", participant.exhibitor_apply, name="exhibitor-apply"),
    path("<int:event_id>/pembeli/", participant.buyer_register, name="buyer-register"),
    path("<int:event_id>/ikut/", participant.participation, name="participation"),
    path("<int:event_id>/mundur/", participant.withdraw, name="withdraw"),
    path("<int:event_id>/kebutuhan/baru/", participant.need_edit, name="need-add"),
    path("<int:event_id>/kebutuhan/<int:need_id>/ubah/", participant.need_edit, name="need-edit"),
    path(
        "<int:event_id>/kebutuhan/<int:need_id>/hapus/",
        participant.need_delete,
        name="need-delete",
    ),
    path("<int:event_id>/ketersediaan/", participant.availability, name="availability"),
    path("<int:event_id>/peserta/", participant.counterparts, name="counterparts"),
    path(
        "<int:event_id>/minta/<int:participant_id>/",
        participant.meeting_request,
        name="meeting-request",
    ),
    path("pertemuan/<int:meeting_id>/jawab/", participant.meeting_respond, name="meeting-respond"),
    path(
        "pertemuan/<int:meeting_id>/batal/", participant.meeting_withdraw, name="meeting-withdraw"
    ),
    # At the event: agendas, outcomes; the admin's door and hall.
    path("<int:event_id>/agenda/", event_day.agenda, name="agenda"),
    path("<int:event_id>/agenda.ics", event_day.agenda_ics, name="agenda-ics"),
    path("pertemuan/<int:meeting_id>/hasil/", event_day.outcome, name="outcome"),
    path("pertemuan/<int:meeting_id>/paket/", event_day.meeting_package, name="meeting-package"),
    path("<int:event_id>/kelola/hadir/", event_day.checkin_desk, name="checkin-desk"),
    path("<int:event_id>/kelola/meja/", event_day.table_sheet, name="table-sheet"),
    path(
        "<int:event_id>/kelola/agenda/<int:participant_id>/",
        event_day.participant_agenda,
        name="participant-agenda",
    ),
    # Dinas PPKUKM admins: running the event.
    path("<int:event_id>/kelola/", manage.dashboard, name="manage"),
    path("<int:event_id>/kelola/hasil.xlsx", manage.dashboard_xlsx, name="manage-xlsx"),
    path("<int:event_id>/kelola/status/", manage.event_move, name="event-move"),
    path("<int:event_id>/kelola/saran/", manage.suggestions_run, name="suggestions-run"),
    path("<int:event_id>/kelola/jadwal/", manage.schedule, name="schedule"),
    path("<int:event_id>/kelola/jadwal/<int:run_id>/", manage.schedule_run, name="schedule-run"),
]
