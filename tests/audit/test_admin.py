"""The auditor's view in Django admin: read only for everyone, for Dinas PPKUKM admins
only, filterable and searchable in a fixed number of queries, each entry's before and after
as a table, and the filtered list as XLSX. A sealed bid stays out of it until opening."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from audit import services as audit
from audit.display import value_text
from audit.models import AuditAction, AuditEntry, SystemJob
from procurement import services as procurement
from procurement.models import Package
from tests import factories
from tests.procurement.conftest import lines_for, past_deadline
from tests.spreadsheets import FORMULA, assert_kept_as_text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_auditentry_changelist")
EXPORT = reverse("admin:audit_auditentry_export")


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user)


def _entries(count: int, actor) -> list[AuditEntry]:
    package = factories.PackageFactory(created_by=actor)
    return [
        audit.record(
            actor=actor if n % 2 else None,
            job="" if n % 2 else SystemJob.PACKAGES_CLOSE_DUE,
            action=AuditAction.PACKAGE_EDITED,
            obj=package,
            changes={"title": [f"Judul {n}", f"Judul {n + 1}"]},
        )
        for n in range(count)
    ]


def _sent_to_sign_in(response) -> bool:
    """Redirected to a login page, asked to come back (never the log itself)."""
    return response.status_code == 302 and "next=" in response["Location"]


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join([response.content])))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)], [
        list(row) for row in book.worksheets[1].iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("count", [3, 60])
def test_it_lists_the_log_in_a_fixed_number_of_queries(
    admin_client, admin_user, django_assert_num_queries, count
):
    _entries(count, admin_user)
    # 1 the signed-in user; 2-3 their own and their groups' permissions; 4 the actors of
    # the actor filter; 5 the count; 6 the page of entries (changes deferred, sealed bids
    # left out); 7-8 the date hierarchy's range and its days.
    with django_assert_num_queries(8):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count, 50)
    assert b"Judul 0 \xe2\x86\x92 Judul 1" in response.content or count > 50


def test_it_keeps_everyone_but_admins_out(client, login, officer, vendor_owner, admin_user):
    (entry,) = _entries(1, admin_user)
    urls = [CHANGELIST, EXPORT, reverse("admin:audit_auditentry_change", args=[entry.pk])]
    for url in urls:
        response = client.get(url)
        assert _sent_to_sign_in(response)
    for user in (officer, vendor_owner):
        login(user)
        for url in urls:
            response = client.get(url)
            assert _sent_to_sign_in(response)
        client.logout()
    staff_without_permission = factories.UserFactory(is_staff=True)
    login(staff_without_permission)
    for url in urls:
        assert client.get(url).status_code == 403


def test_nobody_adds_changes_or_deletes_an_entry(client, login, admin_user):
    (entry,) = _entries(1, admin_user)
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    for user in (admin_user, superuser):
        login(user)
        change = reverse("admin:audit_auditentry_change", args=[entry.pk])
        assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
        assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code
        assert client.post(change, {"note": "diubah"}).status_code == 403
        response = client.get(CHANGELIST)
        actions = dict(response.context["action_form"].fields["action"].choices)
        assert "delete_selected" not in actions
        client.logout()
    entry.refresh_from_db()
    assert entry.note == ""
    assert AuditEntry.objects.count() == 1


def test_the_entry_page_shows_before_and_after_as_a_table(admin_client, admin_user):
    package = factories.PackageFactory(created_by=admin_user)
    entry = audit.record(
        actor=admin_user,
        action=AuditAction.PACKAGE_EDITED,
        obj=package,
        changes={"pagu": ["1000000000.00", "1200000000.00"], "min_tkdn_pct": [None, "25.00"]},
        note="Perbaikan pagu",
    )
    response = admin_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<th scope='row'>pagu (Rp)</th><td>Rp1.000.000.000</td><td>Rp1.200.000.000</td>" in html
    assert "<th scope='row'>TKDN minimal (%)</th><td>—</td><td>25,00%</td>" in html
    assert "Perbaikan pagu" in html and admin_user.email in html


def test_it_filters_by_action_and_searches_by_actor_label_and_id(admin_client, admin_user):
    entries = _entries(4, admin_user)
    other = factories.PackageFactory(created_by=admin_user, title="Pengadaan kursi lipat")
    announced = audit.record(
        actor=admin_user, action=AuditAction.PACKAGE_ANNOUNCED, obj=other, changes={}
    )

    def listed(**params):
        return set(admin_client.get(CHANGELIST, params).context["cl"].result_list)

    assert listed(action__exact=AuditAction.PACKAGE_ANNOUNCED) == {announced}
    assert listed(q="kursi lipat") == {announced}
    assert listed(q=str(other.pk)) == {announced}
    assert listed(q=admin_user.email) == {entries[1], entries[3], announced}
    assert listed(job__exact=SystemJob.PACKAGES_CLOSE_DUE) == {entries[0], entries[2]}


def test_the_export_gives_the_filtered_entries_and_each_change(admin_client, admin_user):
    _entries(3, admin_user)
    package = factories.PackageFactory(created_by=admin_user)
    audit.record(
        actor=admin_user,
        action=AuditAction.PACKAGE_ANNOUNCED,
        obj=package,
        changes={"status": ["draft", "announced"]},
    )
    response = admin_client.get(EXPORT, {"action__exact": AuditAction.PACKAGE_ANNOUNCED})
    entries, changes = _workbook(response)
    assert entries[0][:3] == ["No. entri", "Waktu (WIB)", "Tindakan"]
    assert len(entries) == 2
    assert entries[1][2:7] == [
        "Paket diumumkan",
        "Paket pengadaan",
        package.pk,
        str(package),
        admin_user.email,
    ]
    assert entries[0][-3:] == ["Kode tindakan", "Kode jenis objek", "Kode tugas latar"]
    assert entries[1][-3:] == [AuditAction.PACKAGE_ANNOUNCED, "procurement.package", None]
    assert changes[0][2:] == [
        "Kolom",
        "Sebelum",
        "Sesudah",
        "Kode kolom",
        "Sebelum (tersimpan)",
        "Sesudah (tersimpan)",
    ]
    assert changes[1][2:] == [
        "status",
        "Draf",
        "Diumumkan, menerima penawaran",
        "status",
        "draft",
        "announced",
    ]
    # Everything, unfiltered, from the link on the list.
    assert reverse("admin:audit_auditentry_export").encode() in admin_client.get(CHANGELIST).content
    assert len(_workbook(admin_client.get(EXPORT))[0]) == 5


def test_the_selected_entries_can_be_exported(admin_client, admin_user):
    first, second, _third = _entries(3, admin_user)
    response = admin_client.post(
        CHANGELIST, {"action": "export_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    )
    entries, changes = _workbook(response)
    assert sorted(row[0] for row in entries[1:]) == [first.pk, second.pk]
    assert sorted(row[3] for row in changes[1:]) == ["Judul 0", "Judul 1"]


def test_a_sealed_bid_stays_out_of_the_log_pages_until_the_package_closes(
    admin_client, announced, bidder
):
    user, vendor, desk, cabinet = bidder
    bid = procurement.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    assert AuditEntry.objects.filter(action=AuditAction.BID_SUBMITTED, object_id=bid.pk).exists()
    page = admin_client.get(CHANGELIST)
    assert page.context["cl"].result_list.count() == 0
    assert vendor.name.encode() not in page.content
    assert len(_workbook(admin_client.get(EXPORT))[0]) == 1
    past_deadline(announced)
    procurement.packages_close_due()
    assert Package.objects.get(pk=announced.pk).status != "announced"
    shown = {e.action for e in admin_client.get(CHANGELIST).context["cl"].result_list}
    assert {AuditAction.BID_SUBMITTED, AuditAction.BID_OPENED} <= shown


def test_a_title_or_change_like_a_formula_stays_text_in_the_workbook(admin_client, admin_user):
    package = factories.PackageFactory(created_by=admin_user, title=FORMULA)
    audit.record(
        actor=admin_user,
        action=AuditAction.PACKAGE_EDITED,
        obj=package,
        changes={"title": ["-1+2", FORMULA]},
    )
    content = admin_client.get(EXPORT).content
    assert_kept_as_text(content)
    assert_kept_as_text(content, "-1+2")


def test_the_entry_reads_as_people_read_it_not_as_the_log_stores_it(admin_client, admin_user):
    """Choice labels, a moment in WIB in the portal's format, Ya/Tidak, money as Rupiah, in
    the reader's language; the list shows the moment the same way."""
    vendor = factories.VendorFactory()
    entry = audit.record(
        actor=admin_user,
        action=AuditAction.VENDOR_VERIFIED,
        obj=vendor,
        changes={
            "status": ["pending", "verified"],
            "verified_at": [None, "2026-12-07T21:13:30.351815+07:00"],
            "annual_sales": ["1500000000.00", "2000000000.50"],
            "is_umkm": [True, False],
        },
    )
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    html = admin_client.get(url).content.decode()
    assert "<td>Menunggu verifikasi</td><td>Terverifikasi</td>" in html
    assert "<td>—</td><td>7 Des 2026 21:13 WIB</td>" in html
    assert "<td>Rp1.500.000.000</td><td>Rp2.000.000.000,50</td>" in html
    assert "<td>Ya</td><td>Tidak</td>" in html
    for raw in ("pending", "2026-12-07T21:13", "1500000000.00", "False"):
        assert f"<td>{raw}" not in html
    admin_client.cookies["p3dn_language"] = "en"
    english = admin_client.get(url).content.decode()
    assert "<td>Awaiting verification</td><td>Verified</td>" in english
    assert "<td>—</td><td>7 Dec 2026 21:13 WIB</td>" in english
    assert "<td>Rp1,500,000,000</td><td>Rp2,000,000,000.50</td>" in english
    assert "<td>Yes</td><td>No</td>" in english
    del admin_client.cookies["p3dn_language"]
    listed = admin_client.get(CHANGELIST).content.decode()
    assert timezone.localtime(entry.at).strftime("%H:%M") in listed
    assert "WIB" in listed


@translation.override("id")
def test_a_schedule_runs_times_read_in_the_portals_format():
    shown = value_text("matching.schedulerun", "7", "2026-12-08T11:30:00+07:00 / meja 1")
    assert shown == "8 Des 2026 11:30 WIB / meja 1"
    assert value_text("procurement.package", "contract_signed_on", "2026-12-09") == "9 Des 2026"
    assert value_text("procurement.package", "min_tkdn_pct", "40.00") == "40,00%"
    assert value_text("procurement.package", "title", None) == "—"


def test_the_list_shows_the_columns_an_admin_scans(admin_client, admin_user):
    _entries(1, admin_user)
    response = admin_client.get(CHANGELIST)
    columns = response.context["cl"].list_display
    assert list(columns) == [
        "action_checkbox",
        "when",
        "action",
        "object_link",
        "actor_or_job",
        "summary_text",
    ]
