"""The OPD officer's packages: the list, the draft form with its items, the panel on the
package page, and the lifecycle actions that need no opened bid."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.decorators import WRONG_ROLE
from p3dn_portal.lib.confirm import CONFIRMED
from procurement import forms, services, views
from procurement.models import Package
from procurement.rules import Action, Status
from tests.factories import (
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    VendorMemberFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
JAKARTA = ZoneInfo("Asia/Jakarta")
LIST = reverse("procurement:officer-packages")
ADD = reverse("procurement:officer-package-add")


def _url(name: str, package: Package) -> str:
    return reverse(f"procurement:officer-package-{name}", args=[package.pk])


def _local(moment: datetime) -> str:
    return timezone.localtime(moment, JAKARTA).strftime("%Y-%m-%dT%H:%M")


def _data(**changes: str) -> dict:
    """The form as an officer fills it in: Indonesian number formats, Jakarta times, one
    item and one empty row."""
    now = timezone.now()
    data = {
        "rup_code": "47110234",
        "title": "Pengadaan meja belajar SD",
        "description": "Untuk 40 SD negeri di Jakarta Timur.",
        "fiscal_year": "2026",
        "category": "goods",
        "method": "tender",
        "pagu": "1.500.000.000",
        "pdn": "on",
        "min_tkdn_pct": "",
        "reservation_exception_reason": "",
        "max_preference_pct": "25",
        "opens_at": _local(now),
        "closes_at": _local(now + timedelta(days=7)),
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-description": "Meja belajar siswa kayu jati",
        "items-0-kbli": "31001",
        "items-0-quantity": "1.000",
        "items-0-unit": "unit",
        "items-0-hps_unit_price": "1.200.000",
        "items-1-description": "",
        "items-1-kbli": "",
        "items-1-quantity": "",
        "items-1-unit": "",
        "items-1-hps_unit_price": "",
    }
    data.update(changes)
    return data


# The cast: a PPK, a pokja and a KPA of one OPD, a draft and an announced package of theirs.


@pytest.fixture
def announced(ppk):
    package = PackageFactory(opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED)
    PackageItemFactory(package=package, position=1)
    return package


def _bid(package: Package):
    """A sealed bid from a new verified vendor; returns the vendor."""
    member = VendorMemberFactory()
    product = ProductFactory(vendor=member.vendor, name="Meja jati rahasia")
    item = package.items.get()
    services.bid_submit(
        package=package,
        vendor=member.vendor,
        by=member.user,
        lines=[services.LineInput(item, product, D("1150000"))],
    )
    return member.vendor


def _past_deadline(package: Package) -> None:
    """Move the deadline into the past: the database clock decides, not the test's."""
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def draft(ppk):
    package = PackageFactory(opd=ppk.officer.opd, created_by=ppk)
    PackageItemFactory(package=package, position=1)
    return package


@pytest.fixture
def kpa(ppk):
    return OfficerFactory(opd=ppk.officer.opd, position="kpa").user


# Who gets in ---------------------------------------------------------------------------------

PACKAGE_PAGES = [
    ("edit", "get"),
    ("announce", "post"),
    ("close", "post"),
    ("evaluate", "post"),
    ("announce-winner", "post"),
    ("award", "post"),
    ("contract", "post"),
    ("cancel", "post"),
    ("fail", "post"),
    ("bids", "get"),
    ("bids-xlsx", "get"),
]


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    for url, method in [(LIST, "get"), (ADD, "get")] + [
        (_url(name, draft), method) for name, method in PACKAGE_PAGES
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_vendors_are_refused(login, vendor_owner, draft):
    client = login(vendor_owner)
    for url, method in [(LIST, "get"), (ADD, "get")] + [
        (_url(name, draft), method) for name, method in PACKAGE_PAGES
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
    assert str(WRONG_ROLE).split("{")[0] in response.content.decode()


def test_officers_of_another_opd_find_nothing(login, other_officer, draft):
    client = login(other_officer)
    for name, method in PACKAGE_PAGES:
        assert getattr(client, method)(_url(name, draft)).status_code == 404, name
    answer = reverse("procurement:officer-package-answer-objection", args=[draft.pk, 1])
    assert client.post(answer).status_code == 404


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_the_opds_packages_only(login, ppk, draft, other_officer):
    elsewhere = PackageFactory(opd=other_officer.officer.opd, title="Paket OPD lain")
    html = login(ppk).get(LIST).content.decode()
    assert ADD in html
    assert draft.title in html
    assert draft.rup_code in html
    assert "Rp1.200.000.000" in html  # HPS
    assert "WIB" in html  # closing time, Jakarta
    assert elsewhere.title not in html


def test_the_list_counts_and_filters_by_status(login, ppk, draft, announced):
    PackageFactory(opd=ppk.officer.opd, status=Status.CANCELLED, cancel_reason="Anggaran dipotong")
    client = login(ppk)
    tabs = {value: count for value, _label, count in client.get(LIST).context["tabs"]}
    assert tabs[""] == 3
    assert (tabs["draft"], tabs["announced"], tabs["cancelled"], tabs["closed"]) == (1, 1, 1, 0)
    page = client.get(LIST, {"status": "announced"}).context["page_obj"]
    assert [p.pk for p in page] == [announced.pk]
    page = client.get(LIST, {"status": "bukan-status"}).context["page_obj"]
    assert len(page) == 3


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("hps", ["B", "C", "A"]),
        ("-hps", ["A", "C", "B"]),
        ("judul", ["A", "B", "C"]),
        ("-judul", ["C", "B", "A"]),
        ("batas", ["C", "A", "B"]),
        ("-batas", ["B", "A", "C"]),
    ],
)
def test_the_list_sorts_by_hps_title_or_closing(login, ppk, sort, expected):
    now = timezone.now()
    for title, hps, days in [("A", "900000000", 5), ("B", "100000000", 9), ("C", "500000000", 2)]:
        PackageFactory(
            opd=ppk.officer.opd, title=title, hps=D(hps), closes_at=now + timedelta(days=days)
        )
    page = login(ppk).get(LIST, {"urut": sort}).context["page_obj"]
    assert [p.title for p in page] == expected


def test_the_list_shows_how_many_bids_but_nothing_of_them(login, ppk, announced):
    vendor = _bid(announced)
    response = login(ppk).get(LIST)
    assert [p.bid_count for p in response.context["page_obj"]] == [1]
    assert vendor.name not in response.content.decode()


@pytest.mark.parametrize("packages", [2, 20])
def test_the_list_query_count_does_not_grow_with_packages(
    login, ppk, django_assert_num_queries, packages
):
    PackageFactory.create_batch(packages, opd=ppk.officer.opd)
    client = login(ppk)
    # 1 user with OPD joined, 2 counts per status (one aggregate),
    # 3 the page of packages with their bid counts; the navbar's unread count comes with 1
    with django_assert_num_queries(3):
        response = client.get(LIST, {"urut": "hps"})
    assert len(response.context["page_obj"]) == packages


# The draft form ------------------------------------------------------------------------------


def test_a_ppk_creates_a_draft_package_with_its_items(login, ppk):
    response = login(ppk).post(ADD, _data())
    package = Package.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("procurement:package-detail", args=[package.pk])
    assert (package.opd, package.created_by, package.status) == (ppk.officer.opd, ppk, "draft")
    assert package.pagu == D("1500000000")
    assert package.hps == D("1200000000")
    assert package.reserved_for_small_business
    item = package.items.get()
    assert (item.quantity, item.hps_unit_price, item.kbli) == (D("1000"), D("1200000"), "31001")


def test_times_are_read_as_jakarta_time(login, ppk):
    login(ppk).post(ADD, _data(opens_at="2030-01-15T08:00", closes_at="2030-01-22T16:00"))
    package = Package.objects.get()
    assert package.opens_at == datetime(2030, 1, 15, 1, 0, tzinfo=UTC)
    assert package.closes_at == datetime(2030, 1, 22, 9, 0, tzinfo=UTC)
    html = login(ppk).get(_url("edit", package)).content.decode()
    assert 'value="2030-01-15T08:00"' in html


def test_the_form_takes_exactly_the_fields_the_service_saves():
    # The package's own terms, and its checklist (saved as requirement rows).
    assert set(forms.PackageForm.base_fields) == {
        *services.PACKAGE_FIELDS,
        *forms.REQUIREMENT_FIELDS.values(),
    }
    assert set(forms.ITEM_FIELDS) == set(services.ItemInput.__dataclass_fields__)


def test_a_new_goods_package_starts_with_the_highest_preference(login, ppk):
    form = login(ppk).get(ADD).context["form"]
    assert form["max_preference_pct"].value() == "25,00"
    assert form["category"].value() == "goods"
    assert forms.default_preference("consultancy") == 0
    assert "Rp15 miliar" in str(form.fields["reservation_exception_reason"].help_text)


def test_a_recorded_reason_lifts_the_small_business_reservation(login, ppk):
    reason = "Butuh pabrik dengan kapasitas 50.000 unit per bulan."
    login(ppk).post(ADD, _data(reservation_exception_reason=reason))
    package = Package.objects.get()
    assert not package.reserved_for_small_business
    assert package.reservation_exception_reason == reason


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"method": "direct_procurement"},
            "method",
            "tidak sesuai nilai paket",
        ),
        ({"pagu": "1.000.000.000"}, "pagu", "melebihi pagu"),
        (
            {"category": "consultancy", "max_preference_pct": "25"},
            "max_preference_pct",
            str(services.PREFERENCE_ONLY_GOODS),
        ),
    ],
)
def test_the_services_objections_land_on_their_fields(login, ppk, changes, field, message):
    response = login(ppk).post(ADD, _data(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert not Package.objects.exists()
    # Everything typed is kept.
    assert form["title"].value() == "Pengadaan meja belajar SD"
    assert response.context["items"].forms[0]["hps_unit_price"].value() == "1.200.000"


def test_a_package_without_items_is_refused(login, ppk):
    response = login(ppk).post(
        ADD,
        _data(
            **{
                "items-0-description": "",
                "items-0-kbli": "",
                "items-0-quantity": "",
                "items-0-unit": "",
                "items-0-hps_unit_price": "",
            }
        ),
    )
    assert str(services.ITEMS_REQUIRED) in response.context["form"].non_field_errors()
    assert not Package.objects.exists()


def test_bad_input_is_explained_and_nothing_saved(login, ppk):
    response = login(ppk).post(
        ADD,
        _data(
            pagu="satu miliar",
            closes_at=_local(timezone.now() - timedelta(days=1)),
            **{"items-0-quantity": "0", "items-0-kbli": "311"},
        ),
    )
    form, row = response.context["form"], response.context["items"].forms[0]
    assert form.errors["pagu"]
    assert str(forms.CLOSES_BEFORE_OPENS) in form.errors["closes_at"]
    assert str(forms.AMOUNT_NOT_POSITIVE) in row.errors["quantity"]
    assert str(forms.KBLI_INVALID) in row.errors["kbli"]
    assert not Package.objects.exists()


def test_a_rup_code_is_used_once_per_opd_and_year(login, ppk, draft):
    response = login(ppk).post(ADD, _data(rup_code=draft.rup_code, fiscal_year="2026"))
    assert response.status_code == 200
    assert (
        str(forms.RUP_CODE_TAKEN.format(code=draft.rup_code, year=2026))
        in (response.context["form"].errors["rup_code"])
    )
    assert Package.objects.count() == 1


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(login, ppk):
    response = login(ppk).post(ADD, _data(title="", tambah_baris="1"))
    items = response.context["items"]
    assert len(items.forms) == 3
    assert items.forms[0]["description"].value() == "Meja belajar siswa kayu jati"
    assert not response.context["form"].errors
    assert 'name="items-2-description"' in response.content.decode()
    assert not Package.objects.exists()


def test_editing_a_draft_replaces_its_items(login, ppk, draft):
    client = login(ppk)
    form = client.get(_url("edit", draft)).context["form"]
    assert form["rup_code"].value() == draft.rup_code
    data = _data(
        rup_code=draft.rup_code,
        **{
            "items-INITIAL_FORMS": "1",
            "items-1-description": "Kursi siswa",
            "items-1-quantity": "1.000",
            "items-1-unit": "unit",
            "items-1-hps_unit_price": "300.000",
        },
    )
    response = client.post(_url("edit", draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.hps == D("1500000000")
    assert [i.description for i in draft.items.all()] == [
        "Meja belajar siswa kayu jati",
        "Kursi siswa",
    ]
    client.post(_url("edit", draft), {**data, "items-1-DELETE": "on"})
    assert draft.items.count() == 1


def test_clearing_a_row_removes_its_item(login, ppk, draft):
    PackageItemFactory(package=draft, position=2, description="Kursi siswa")
    blank = {f"items-1-{name}": "" for name in forms.ITEM_FIELDS}
    data = _data(rup_code=draft.rup_code, **{"items-INITIAL_FORMS": "2", **blank})
    assert login(ppk).post(_url("edit", draft), data).status_code == 302
    assert [i.description for i in draft.items.all()] == ["Meja belajar siswa kayu jati"]


def test_only_ppk_or_pptk_may_open_the_form(login, pokja, draft):
    client = login(pokja)
    assert ADD not in client.get(LIST).content.decode()
    for url in (ADD, _url("edit", draft)):
        response = client.get(url)
        assert response.status_code == 403
        assert "tidak berwenang mengubah paket" in response.content.decode()
    assert client.post(ADD, _data()).status_code == 403
    assert Package.objects.count() == 1


def test_only_drafts_are_edited(login, ppk, announced):
    response = login(ppk).get(_url("edit", announced), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "procurement:package-detail", args=[announced.pk]
    )
    assert "tidak dapat mengubah paket" in response.content.decode()


# The panel on the package page ---------------------------------------------------------------


def _detail(client, package):
    return client.get(reverse("procurement:package-detail", args=[package.pk])).content.decode()


def test_the_panel_offers_the_actions_of_the_position(login, ppk, pokja, kpa, draft):
    html = _detail(login(ppk), draft)
    for name in ("edit", "announce", "cancel"):
        assert _url(name, draft) in html
    assert _url("fail", draft) not in html
    html = _detail(login(kpa), draft)
    assert _url("cancel", draft) in html
    assert _url("announce", draft) not in html
    assert _url("edit", draft) not in html
    html = _detail(login(pokja), draft)
    assert _url("announce", draft) in html
    assert _url("cancel", draft) not in html


def test_the_panel_counts_sealed_bids_and_shows_nothing_else(login, ppk, announced):
    vendor = _bid(announced)
    html = _detail(login(ppk), announced)
    assert "1 penawaran masuk" in html
    assert vendor.name not in html
    assert "Meja jati rahasia" not in html
    assert "1.150.000" not in html
    assert _url("bids", announced) not in html
    assert _url("close", announced) not in html  # not before the deadline


def test_the_panel_shows_the_audit_trail(login, ppk, draft):
    client = login(ppk)
    client.post(_url("announce", draft), CONFIRMED)
    client.post(
        _url("cancel", draft), {"reason": "Kebutuhan dipenuhi hibah pemerintah pusat."} | CONFIRMED
    )
    html = _detail(client, draft)
    assert "Riwayat paket" in html
    assert str(Action.ANNOUNCE.label).capitalize() in html
    assert "Kebutuhan dipenuhi hibah pemerintah pusat." in html
    assert ppk.full_name in html


# Actions ---------------------------------------------------------------------------------------


def test_announcing_a_draft(login, pokja, draft):
    response = login(pokja).post(_url("announce", draft), CONFIRMED, follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.ANNOUNCED
    assert "Paket diumumkan" in response.content.decode()


def test_announcing_with_a_past_deadline_is_explained(login, ppk, draft):
    Package.objects.filter(pk=draft.pk).update(
        opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1)
    )
    response = login(ppk).post(_url("announce", draft), CONFIRMED, follow=True)
    assert str(services.CLOSING_IN_PAST) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_position_without_the_power_gets_the_services_refusal(login, kpa, draft):
    response = login(kpa).post(_url("announce", draft), CONFIRMED)
    assert response.status_code == 403
    assert "tidak berwenang mengumumkan paket" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_an_action_in_the_wrong_state_is_explained(login, ppk, draft):
    response = login(ppk).post(_url("evaluate", draft), follow=True)
    assert "tidak dapat memulai evaluasi" in response.content.decode()


def test_cancelling_needs_a_reason(login, kpa, announced):
    client = login(kpa)
    response = client.post(_url("cancel", announced), {"reason": "  "} | CONFIRMED, follow=True)
    assert str(services.REASON_REQUIRED) in response.content.decode()
    announced.refresh_from_db()
    assert announced.status == Status.ANNOUNCED
    response = client.post(
        _url("cancel", announced), {"reason": "Anggaran direvisi."} | CONFIRMED, follow=True
    )
    assert str(views.PACKAGE_CANCELLED) in response.content.decode()
    announced.refresh_from_db()
    assert (announced.status, announced.cancel_reason) == (Status.CANCELLED, "Anggaran direvisi.")
    assert announced.events.get().by == kpa


def test_closing_waits_for_the_deadline(login, pokja, announced):
    client = login(pokja)
    response = client.post(_url("close", announced), CONFIRMED, follow=True)
    assert "Batas akhir penawaran belum lewat" in response.content.decode()
    _past_deadline(announced)
    assert _url("close", announced) in _detail(client, announced)
    response = client.post(_url("close", announced), CONFIRMED, follow=True)
    assert str(views.PACKAGE_CLOSED) in response.content.decode()
    announced.refresh_from_db()
    assert announced.status == Status.CLOSED


def test_failing_needs_a_reason(login, pokja, announced):
    _past_deadline(announced)
    services.packages_close_due()
    client = login(pokja)
    client.post(_url("fail", announced), {"reason": ""} | CONFIRMED)
    announced.refresh_from_db()
    assert announced.status == Status.CLOSED
    client.post(_url("fail", announced), {"reason": "Tidak ada penawaran."} | CONFIRMED)
    announced.refresh_from_db()
    assert announced.status == Status.FAILED
    assert announced.events.latest("at").reason == "Tidak ada penawaran."
