"""Django admin for the vendor register, as a Dinas PPKUKM admin uses it: lists, filters,
search, bulk verification through the services, private certificate files, and the issue of
an assisted halal registration."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from tests import factories
from tests.factories import PDF_BYTES, image_bytes, pdf_upload
from vendors import admin as vendors_admin
from vendors import rules, services
from vendors.models import (
    AssistanceStatus,
    CertificateStatus,
    HalalAssistance,
    HalalCertificate,
    HalalScheme,
    Invitation,
    MemberRole,
    VendorStatus,
)
from vendors.validators import HALAL_NUMBER_INVALID, NIB_INVALID, TKDN_NUMBER_INVALID

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2025, 3, 10)


# Helpers ------------------------------------------------------------------------------------


def _url(model: str, view: str, *args) -> str:
    return reverse(f"admin:vendors_{model}_{view}", args=args)


def _pending_vendor(**kwargs):
    vendor = factories.VendorFactory(status=VendorStatus.PENDING, verified_at=None, **kwargs)
    factories.VendorMemberFactory(vendor=vendor, role=MemberRole.OWNER)
    return vendor


def _pending(factory, **kwargs):
    vendor = factories.VendorMemberFactory(role=MemberRole.OWNER).vendor
    return factory(vendor=vendor, status=CertificateStatus.PENDING, verified_at=None, **kwargs)


def _action(client, model: str, action: str, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(_url(model, "changelist"), data, follow="apply" in extra)


def _html(text) -> str:
    """A message as it appears in the page."""
    return escape(str(text))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _listed(response) -> set:
    return set(response.context["cl"].result_list)


def _form_data(response) -> dict:
    """What the browser would post back from an admin change form, untouched."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user)


@pytest.fixture
def one_of_each(db):
    """A record of every model the vendors admin shows."""
    vendor = factories.VendorMemberFactory(role=MemberRole.OWNER).vendor
    product = factories.ProductFactory(vendor=vendor, is_food=True)
    tkdn = factories.TKDNCertificateFactory(vendor=vendor, products=[product])
    halal = factories.HalalCertificateFactory(vendor=vendor, products=[product])
    assistance = HalalAssistance.objects.create(
        vendor=vendor, scheme=HalalScheme.SELF_DECLARE, status=AssistanceStatus.SUBMITTED
    )
    assistance.products.set([product])
    invitation = Invitation.objects.create(
        vendor=vendor, email="rekan@contoh.id", invited_by=vendor.members.get().user
    )
    return {
        "vendor": vendor,
        "vendormember": vendor.members.get(),
        "product": product,
        "tkdncertificate": tkdn,
        "halalcertificate": halal,
        "halalassistance": assistance,
        "invitation": invitation,
    }


MODELS = [
    "vendor",
    "vendormember",
    "product",
    "tkdncertificate",
    "halalcertificate",
    "halalassistance",
    "invitation",
]


# Pages and access ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_it_renders_each_changelist_for_an_admin(admin_client, one_of_each, model):
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert one_of_each[model] in _listed(response)


@pytest.mark.parametrize("model", MODELS)
def test_it_renders_each_change_page_for_an_admin(admin_client, one_of_each, model):
    response = admin_client.get(_url(model, "change", one_of_each[model].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_it_renders_each_history_page_for_an_admin(admin_client, one_of_each, model):
    response = admin_client.get(_url(model, "history", one_of_each[model].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["vendor", "product", "halalassistance"])
def test_it_renders_the_add_pages_an_admin_uses(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", ["tkdncertificate", "halalcertificate", "invitation"])
def test_it_leaves_uploads_and_invitations_to_the_portal(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 403


@pytest.mark.parametrize("cast", ["vendor_owner", "officer"])
def test_it_keeps_vendor_users_and_officers_out_of_the_admin(request, login, cast):
    client = login(request.getfixturevalue(cast))
    for model in ("vendor", "tkdncertificate", "halalassistance"):
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


# Vendors: bulk verification -----------------------------------------------------------------


def test_it_verifies_a_pending_vendor_and_emails_its_owner(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    vendor = _pending_vendor()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "vendor", "verify_selected", [vendor])
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.VERIFIED
    assert vendor.verified_by == admin_user
    assert vendor.verified_at is not None
    assert [m.to for m in mail.outbox] == [[vendor.members.get().user.email]]
    messages = _messages(admin_client.get(response.url))
    assert messages == [vendors_admin.VERIFIED_COUNT.format(count=1)]


def test_it_skips_a_vendor_that_is_not_pending_and_says_why(
    admin_client, django_capture_on_commit_callbacks
):
    pending = _pending_vendor()
    verified = factories.VendorFactory(status=VendorStatus.VERIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "vendor", "verify_selected", [pending, verified])
    pending.refresh_from_db()
    assert pending.status == VendorStatus.VERIFIED
    assert len(mail.outbox) == 1
    skipped = vendors_admin.SKIPPED.format(count=1, names=verified, reason=services.NOT_PENDING)
    assert _messages(admin_client.get(response.url)) == [
        vendors_admin.VERIFIED_COUNT.format(count=1),
        skipped,
    ]


def test_it_asks_for_the_reason_before_rejecting_a_vendor(admin_client):
    vendor = _pending_vendor()
    verified = factories.VendorFactory()
    response = _action(admin_client, "vendor", "reject_with_reason", [vendor, verified])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/vendors/reject_with_reason.html"
    assert response.context["pending"] == [vendor]
    assert response.context["skipped"] == [verified]
    content = response.content.decode()
    assert 'name="reason"' in content
    assert f'href="{_url("vendor", "changelist")}"' in content  # the cancel link
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.PENDING


def test_it_refuses_to_reject_a_vendor_without_a_reason(
    admin_client, django_capture_on_commit_callbacks
):
    vendor = _pending_vendor()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            _url("vendor", "changelist"),
            {
                "action": "reject_with_reason",
                ACTION_CHECKBOX_NAME: [vendor.pk],
                "apply": "1",
                "reason": "   ",
            },
        )
    assert response.status_code == 200
    assert _html(services.REASON_REQUIRED) in response.content.decode()
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.PENDING
    assert mail.outbox == []


def test_it_rejects_a_vendor_with_the_reason_and_records_it(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    vendor = _pending_vendor()
    reason = "NIB tidak sesuai dengan dokumen OSS yang diunggah."
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            admin_client, "vendor", "reject_with_reason", [vendor], apply="1", reason=reason
        )
    assert response.status_code == 200
    assert _messages(response) == [vendors_admin.REJECTED_COUNT.format(count=1)]
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.REJECTED
    assert vendor.rejection_reason == reason
    assert len(mail.outbox) == 1
    record = vendor.history.latest()
    assert record.history_change_reason == f"Ditolak: {reason}"
    assert record.history_user == admin_user


def test_it_says_so_when_none_of_the_selected_vendors_is_pending(admin_client):
    verified = factories.VendorFactory()
    response = _action(admin_client, "vendor", "reject_with_reason", [verified])
    assert response.status_code == 302
    assert _messages(admin_client.get(response.url)) == [vendors_admin.NOTHING_PENDING]


def test_it_records_who_verified_and_why_in_the_history(admin_client, admin_user):
    vendor = _pending_vendor()
    _action(admin_client, "vendor", "verify_selected", [vendor])
    record = vendor.history.latest()
    assert record.history_change_reason == "Diverifikasi"
    assert record.history_user == admin_user
    page = admin_client.get(_url("vendor", "history", vendor.pk)).content.decode()
    assert "Diverifikasi" in page


# Vendors: change form -----------------------------------------------------------------------


def test_it_ignores_verification_fields_posted_with_the_change_form(admin_client, admin_user):
    vendor = _pending_vendor()
    url = _url("vendor", "change", vendor.pk)
    data = _form_data(admin_client.get(url))
    data.update(
        name="CV Usaha Maju Sejahtera",
        annual_sales="20000000000",
        status=VendorStatus.VERIFIED,
        rejection_reason="x",
        scale="mikro",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    vendor.refresh_from_db()
    assert vendor.name == "CV Usaha Maju Sejahtera"
    assert vendor.status == VendorStatus.PENDING
    assert vendor.rejection_reason == ""
    assert (vendor.scale, vendor.scale_basis) == ("menengah", "annual_sales")
    record = vendor.history.latest()
    assert record.history_change_reason == vendors_admin.ADMIN_EDIT_REASON
    assert record.history_user == admin_user


def test_it_shows_verification_fields_read_only(admin_client):
    vendor = _pending_vendor()
    form = admin_client.get(_url("vendor", "change", vendor.pk)).context["adminform"].form
    for name in (
        "status",
        "verified_at",
        "verified_by",
        "rejection_reason",
        "scale",
        "scale_basis",
    ):
        assert name not in form.fields


def test_it_checks_the_nib_typed_in_the_change_form(admin_client):
    vendor = _pending_vendor()
    url = _url("vendor", "change", vendor.pk)
    data = {**_form_data(admin_client.get(url)), "nib": "12345"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nib"] == [str(NIB_INVALID)]


def _npwp_with_wrong_check_digit() -> str:
    head = "01234567"
    wrong = (rules.luhn_check_digit(head) + 1) % 10
    return f"{head}{wrong}901000"


def test_it_warns_when_the_npwp_check_digit_does_not_match_but_the_vendor_confirmed(
    admin_client,
):
    vendor = _pending_vendor(npwp=_npwp_with_wrong_check_digit(), npwp_check_digit_confirmed=True)
    assert not vendor.npwp_check_digit_ok
    change = admin_client.get(_url("vendor", "change", vendor.pk)).content.decode()
    assert _html(vendors_admin.NPWP_MISMATCH_CONFIRMED) in change
    listing = admin_client.get(_url("vendor", "changelist")).content.decode()
    assert vendor.npwp_display in listing
    assert _html(vendors_admin.NPWP_MISMATCH_CONFIRMED) in listing


def test_it_shows_the_members_and_certificates_of_a_vendor(admin_client, one_of_each):
    vendor = one_of_each["vendor"]
    tkdn = one_of_each["tkdncertificate"]
    page = admin_client.get(_url("vendor", "change", vendor.pk)).content.decode()
    assert vendor.members.get().user.email in page
    assert tkdn.number in page
    assert one_of_each["halalcertificate"].number in page
    assert _url("tkdncertificate", "file", tkdn.pk) in page


# Vendors: search and filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        lambda v: v.nib,
        lambda v: v.npwp,
        lambda v: v.npwp_display,
        lambda v: v.tkdn_certificates.get().number,
        lambda v: v.halal_certificates.get().number,
    ],
    ids=["nib", "npwp", "npwp-with-dots", "tkdn-number", "halal-number"],
)
def test_it_finds_a_vendor_by_its_numbers(admin_client, term):
    wanted, other = factories.VendorFactory.create_batch(2)
    for vendor in (wanted, other):
        factories.TKDNCertificateFactory(vendor=vendor)
        factories.HalalCertificateFactory(vendor=vendor)
    response = admin_client.get(_url("vendor", "changelist"), {"q": term(wanted)})
    assert _listed(response) == {wanted}


def test_it_finds_a_vendor_by_part_of_its_name_or_the_start_of_its_nib(admin_client):
    wanted = factories.VendorFactory(name="CV Batik Tulis Sejahtera")
    other = factories.VendorFactory(name="PT Rompi Jaya")
    url = _url("vendor", "changelist")
    assert _listed(admin_client.get(url, {"q": "tulis sejah"})) == {wanted}
    by_nib = _listed(admin_client.get(url, {"q": wanted.nib[:-1]}))
    assert wanted in by_nib
    assert (other in by_nib) == other.nib.startswith(wanted.nib[:-1])


def test_a_search_of_products_finds_their_name_brand_and_vendor_name(admin_client):
    vendor = factories.VendorFactory(name="CV Anyaman Bambu")
    by_vendor = factories.ProductFactory(vendor=vendor, name="Tikar", brand="")
    by_name = factories.ProductFactory(name="Seragam batik sekolah", brand="")
    by_brand = factories.ProductFactory(name="Kursi", brand="Rotanindo")
    url = _url("product", "changelist")
    assert _listed(admin_client.get(url, {"q": "anyaman"})) == {by_vendor}
    assert _listed(admin_client.get(url, {"q": "SERAGAM"})) == {by_name}
    assert _listed(admin_client.get(url, {"q": "rotan"})) == {by_brand}
    assert _listed(admin_client.get(url, {"q": "tidak ada"})) == set()


def test_it_filters_vendors_by_city(admin_client):
    bogor = factories.VendorFactory(city="Kota Bogor", province="Jawa Barat")
    factories.VendorFactory(city="Kota Jakarta Selatan")
    response = admin_client.get(_url("vendor", "changelist"), {"kota": "Kota Bogor"})
    assert _listed(response) == {bogor}
    assert "Kota Jakarta Selatan" in response.content.decode()  # offered as a choice


@time_machine.travel(datetime(2025, 3, 10, 9, tzinfo=JAKARTA), tick=False)
def test_it_filters_vendors_whose_verified_tkdn_certificate_ends_soon(admin_client):
    soon, later, far, pending_only = factories.VendorFactory.create_batch(4)
    factories.TKDNCertificateFactory(vendor=soon, expires_on=TODAY + timedelta(days=30))
    factories.TKDNCertificateFactory(vendor=later, expires_on=TODAY + timedelta(days=90))
    factories.TKDNCertificateFactory(vendor=far, expires_on=TODAY + timedelta(days=91))
    factories.TKDNCertificateFactory(
        vendor=pending_only,
        expires_on=TODAY + timedelta(days=5),
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    url = _url("vendor", "changelist")
    assert _listed(admin_client.get(url, {"tkdn_berakhir": "30"})) == {soon}
    assert _listed(admin_client.get(url, {"tkdn_berakhir": "90"})) == {soon, later}


# Certificates -------------------------------------------------------------------------------

CERTIFICATES = [
    ("tkdncertificate", factories.TKDNCertificateFactory),
    ("halalcertificate", factories.HalalCertificateFactory),
]


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_verifies_a_pending_certificate_and_skips_others(
    admin_client, admin_user, django_capture_on_commit_callbacks, model, factory
):
    pending = _pending(factory)
    verified = factory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, model, "verify_selected", [pending, verified])
    pending.refresh_from_db()
    assert pending.status == CertificateStatus.VERIFIED
    assert pending.verified_by == admin_user
    assert [m.to for m in mail.outbox] == [[pending.vendor.members.get().user.email]]
    skipped = vendors_admin.SKIPPED.format(count=1, names=verified, reason=services.NOT_PENDING)
    assert _messages(admin_client.get(response.url)) == [
        vendors_admin.VERIFIED_COUNT.format(count=1),
        skipped,
    ]
    assert pending.history.latest().history_change_reason == "Diverifikasi"


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_rejects_a_certificate_only_with_a_reason(
    admin_client, admin_user, django_capture_on_commit_callbacks, model, factory
):
    certificate = _pending(factory)
    page = _action(admin_client, model, "reject_with_reason", [certificate])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        empty = _action(
            admin_client, model, "reject_with_reason", [certificate], apply="1", reason=""
        )
    assert _html(services.REASON_REQUIRED) in empty.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert mail.outbox == []

    reason = "Berkas tidak terbaca; unggah pindaian yang lebih jelas."
    with django_capture_on_commit_callbacks(execute=True):
        done = _action(
            admin_client, model, "reject_with_reason", [certificate], apply="1", reason=reason
        )
    assert _messages(done) == [vendors_admin.REJECTED_COUNT.format(count=1)]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    assert certificate.rejection_reason == reason
    assert len(mail.outbox) == 1
    record = certificate.history.latest()
    assert record.history_change_reason == f"Ditolak: {reason}"
    assert record.history_user == admin_user


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_shows_status_and_file_read_only_on_a_certificate(admin_client, model, factory):
    certificate = factory()
    response = admin_client.get(_url(model, "change", certificate.pk))
    form = response.context["adminform"].form
    for name in ("status", "verified_at", "verified_by", "rejection_reason", "file", "vendor"):
        assert name not in form.fields
    assert _url(model, "file", certificate.pk) in response.content.decode()


def test_it_checks_the_certificate_number_typed_in_the_change_form(admin_client, admin_user):
    product = factories.ProductFactory()
    certificate = factories.TKDNCertificateFactory(vendor=product.vendor, products=[product])
    url = _url("tkdncertificate", "change", certificate.pk)
    data = _form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "number": "TKDN-123"})
    assert response.context["adminform"].form.errors["number"] == [str(TKDN_NUMBER_INVALID)]
    response = admin_client.post(url, {**data, "number": " 77/sj-ind.8/tkdn/1/2025"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.number == "77/SJ-IND.8/TKDN/1/2025"
    assert certificate.status == CertificateStatus.VERIFIED
    record = certificate.history.latest()
    assert (record.history_change_reason, record.history_user) == (
        vendors_admin.ADMIN_EDIT_REASON,
        admin_user,
    )


def test_it_offers_only_the_vendors_own_products_on_a_certificate(admin_client):
    own = factories.ProductFactory()
    factories.ProductFactory()  # another vendor's
    certificate = factories.TKDNCertificateFactory(vendor=own.vendor, products=[own])
    response = admin_client.get(_url("tkdncertificate", "change", certificate.pk))
    assert list(response.context["adminform"].form.fields["products"].queryset) == [own]


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_links_the_list_to_the_file_view_not_to_the_storage(admin_client, model, factory):
    certificate = factory()
    page = admin_client.get(_url(model, "changelist")).content.decode()
    assert _url(model, "file", certificate.pk) in page
    assert certificate.file.name not in page


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_serves_the_certificate_file_to_an_admin(admin_client, model, factory):
    certificate = factory()
    response = admin_client.get(_url(model, "file", certificate.pk))
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert body == PDF_BYTES


def test_it_serves_a_scanned_certificate_as_an_image(admin_client):
    certificate = factories.TKDNCertificateFactory(
        file=SimpleUploadedFile("pindaian.png", image_bytes("PNG"))
    )
    response = admin_client.get(_url("tkdncertificate", "file", certificate.pk))
    response.close()
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize("cast", ["vendor_owner", None])
def test_it_refuses_the_certificate_file_to_vendors_and_anonymous_users(
    request, client, login, cast
):
    certificate = factories.TKDNCertificateFactory()
    if cast:
        owner = request.getfixturevalue(cast)
        certificate = factories.TKDNCertificateFactory(vendor=owner.vendor_membership.vendor)
        client = login(owner)
    response = client.get(_url("tkdncertificate", "file", certificate.pk))
    assert response.status_code == 302
    assert response.url.startswith((reverse("admin:login"), reverse("accounts:login")))


def test_it_refuses_the_certificate_file_to_staff_without_the_view_permission(login):
    certificate = factories.TKDNCertificateFactory()
    staff = factories.UserFactory(is_staff=True)
    response = login(staff).get(_url("tkdncertificate", "file", certificate.pk))
    assert response.status_code == 403


@time_machine.travel(datetime(2025, 3, 10, 9, tzinfo=JAKARTA), tick=False)
@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("lewat", {"expired"}),
        ("30", {"today", "in_30"}),
        ("90", {"today", "in_30", "in_90"}),
        ("nanti", {"in_91"}),
    ],
)
def test_it_filters_certificates_by_expiry_window(admin_client, window, expected):
    issued = TODAY - timedelta(days=400)
    certificates = {
        name: factories.TKDNCertificateFactory(
            issued_on=issued, expires_on=TODAY + timedelta(days=days)
        )
        for name, days in [
            ("expired", -1),
            ("today", 0),
            ("in_30", 30),
            ("in_90", 90),
            ("in_91", 91),
        ]
    }
    response = admin_client.get(_url("tkdncertificate", "changelist"), {"masa_berlaku": window})
    assert _listed(response) == {certificates[name] for name in expected}


def test_it_filters_halal_certificates_without_an_expiry_date(admin_client):
    open_ended = factories.HalalCertificateFactory(expires_on=None)
    factories.HalalCertificateFactory(expires_on=TODAY + timedelta(days=4000))
    response = admin_client.get(_url("halalcertificate", "changelist"), {"masa_berlaku": "tanpa"})
    assert _listed(response) == {open_ended}


@pytest.mark.parametrize(("model", "factory"), CERTIFICATES)
def test_it_finds_certificates_by_number_and_vendor_nib(admin_client, model, factory):
    wanted, other = factory(), factory()
    url = _url(model, "changelist")
    assert _listed(admin_client.get(url, {"q": wanted.number})) == {wanted}
    assert _listed(admin_client.get(url, {"q": wanted.vendor.nib})) == {wanted}
    assert other not in _listed(admin_client.get(url, {"q": wanted.vendor.name}))


def test_it_refuses_to_revert_a_certificate_from_its_history(admin_client):
    certificate = _pending(factories.TKDNCertificateFactory)
    services.certificate_verify(certificate=certificate, by=factories.AdminFactory())
    first = certificate.history.earliest()
    url = _url("tkdncertificate", "simple_history", certificate.pk, first.history_id)
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VERIFIED


# Halal registration assistance --------------------------------------------------------------


@pytest.fixture
def assistance(db):
    vendor = factories.VendorMemberFactory(role=MemberRole.OWNER).vendor
    products = factories.ProductFactory.create_batch(2, vendor=vendor, is_food=True)
    assistance = HalalAssistance.objects.create(
        vendor=vendor,
        scheme=HalalScheme.SELF_DECLARE,
        status=AssistanceStatus.UNDER_REVIEW,
        sihalal_reference="SH2025-0001",
        submitted_on=date(2025, 2, 1),
    )
    assistance.products.set(products)
    return assistance


def _issue_data(admin_client, assistance, **fields) -> dict:
    data = _form_data(admin_client.get(_url("halalassistance", "change", assistance.pk)))
    data.update(
        certificate_number="ID 3111 0000 1234 5082 4",
        certificate_issued_on="2025-03-01",
        certificate_file=pdf_upload(),
    )
    data.update(fields)
    return data


def test_it_records_the_issued_certificate_of_an_assisted_registration(
    admin_client, admin_user, assistance, django_capture_on_commit_callbacks
):
    url = _url("halalassistance", "change", assistance.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, _issue_data(admin_client, assistance))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assistance.refresh_from_db()
    assert assistance.status == AssistanceStatus.ISSUED
    assert assistance.issued_on == date(2025, 3, 1)
    certificate = assistance.certificate
    assert certificate.number == "ID31110000123450824"
    assert certificate.status == CertificateStatus.VERIFIED
    assert certificate.verified_by == admin_user
    assert certificate.scheme == HalalScheme.SELF_DECLARE
    assert set(certificate.products.all()) == set(assistance.products.all())
    assert len(mail.outbox) == 1
    assert assistance.history.latest().history_change_reason == "Sertifikat terbit"
    page = admin_client.get(url)
    assert "certificate_number" not in page.context["adminform"].form.fields


def test_it_refuses_an_invalid_certificate_number_and_saves_nothing(admin_client, assistance):
    url = _url("halalassistance", "change", assistance.pk)
    data = _issue_data(admin_client, assistance, certificate_number="HL-123", notes="baru")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert _html(HALAL_NUMBER_INVALID) in response.content.decode()
    assert HalalCertificate.objects.count() == 0
    assistance.refresh_from_db()
    assert assistance.status == AssistanceStatus.UNDER_REVIEW
    assert assistance.notes == ""


def test_it_asks_for_the_whole_certificate_before_recording_it(admin_client, assistance):
    url = _url("halalassistance", "change", assistance.pk)
    data = _issue_data(admin_client, assistance)
    del data["certificate_file"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert _html(vendors_admin.ISSUE_FIELDS_REQUIRED) in response.content.decode()
    assert HalalCertificate.objects.count() == 0


def test_it_refuses_a_certificate_number_already_registered(admin_client, assistance):
    taken = factories.HalalCertificateFactory()
    url = _url("halalassistance", "change", assistance.pk)
    response = admin_client.post(
        url, _issue_data(admin_client, assistance, certificate_number=taken.number)
    )
    assert response.status_code == 200
    assert _html(services.CERTIFICATE_NUMBER_TAKEN) in response.content.decode()
    assert HalalCertificate.objects.count() == 1


def test_it_saves_nothing_when_another_admin_recorded_the_number_meanwhile(
    admin_client, assistance, monkeypatch
):
    issue = services.halal_assistance_issue

    def issue_after_another_admin(**kwargs):
        factories.HalalCertificateFactory(number=kwargs["number"])
        return issue(**kwargs)

    monkeypatch.setattr(services, "halal_assistance_issue", issue_after_another_admin)
    url = _url("halalassistance", "change", assistance.pk)
    data = _issue_data(admin_client, assistance, notes="Sertifikat sudah terbit.")
    response = admin_client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert _messages(response) == [str(services.CERTIFICATE_NUMBER_TAKEN)]
    assert HalalCertificate.objects.count() == 0
    assistance.refresh_from_db()
    assert (assistance.status, assistance.notes) == (AssistanceStatus.UNDER_REVIEW, "")


def test_it_saves_the_assistance_without_issuing_when_the_certificate_is_left_empty(
    admin_client, assistance
):
    url = _url("halalassistance", "change", assistance.pk)
    data = _form_data(admin_client.get(url))
    data.update(status=AssistanceStatus.NEEDS_REVISION, notes="Foto dapur kurang jelas.")
    assert admin_client.post(url, data).status_code == 302
    assistance.refresh_from_db()
    assert assistance.status == AssistanceStatus.NEEDS_REVISION
    assert assistance.certificate is None
    assert assistance.history.latest().history_change_reason == vendors_admin.ADMIN_EDIT_REASON


def test_it_does_not_offer_issued_as_a_status_to_pick(admin_client, assistance):
    response = admin_client.get(_url("halalassistance", "change", assistance.pk))
    choices = [value for value, _ in response.context["adminform"].form.fields["status"].choices]
    assert AssistanceStatus.ISSUED not in choices


def test_it_offers_only_the_vendors_products_and_staff_assistants(admin_client, assistance):
    factories.ProductFactory()  # another vendor's
    factories.UserFactory()  # not staff
    response = admin_client.get(_url("halalassistance", "change", assistance.pk))
    fields = response.context["adminform"].form.fields
    assert set(fields["products"].queryset) == set(assistance.products.all())
    assert fields["assistant"].queryset.exists()
    assert all(user.is_staff for user in fields["assistant"].queryset)


def test_it_refuses_products_of_another_vendor_on_a_new_assistance(admin_client, admin_user):
    vendor = factories.VendorFactory()
    foreign = factories.ProductFactory()
    response = admin_client.post(
        _url("halalassistance", "add"),
        {
            "vendor": vendor.pk,
            "scheme": HalalScheme.REGULER,
            "products": [foreign.pk],
            "status": AssistanceStatus.DRAFT,
            "assistant": admin_user.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["products"] == [
        str(vendors_admin.FOREIGN_PRODUCTS)
    ]
    assert not HalalAssistance.objects.exists()


def test_it_counts_assistances_by_status_above_the_list(admin_client):
    vendor = factories.VendorFactory()
    for status in [AssistanceStatus.SUBMITTED] * 2 + [AssistanceStatus.DRAFT]:
        HalalAssistance.objects.create(vendor=vendor, scheme=HalalScheme.REGULER, status=status)
    response = admin_client.get(_url("halalassistance", "changelist"))
    counts = {row["value"]: row["count"] for row in response.context["status_counts"]}
    assert counts == {
        "draft": 1,
        "submitted": 2,
        "under_review": 0,
        "needs_revision": 0,
        "issued": 0,
        "rejected": 0,
    }
    assert "?status__exact=submitted" in response.content.decode()


# Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 15])
def test_it_lists_vendors_in_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, rows
):
    for vendor in factories.VendorFactory.create_batch(rows):
        factories.TKDNCertificateFactory(vendor=vendor)
    # 1 user, 2-3 the user's own and group permissions,
    # 4 distinct cities (city filter, a walk down the index), 5 count of the filtered list
    # (up to a limit; never of all rows beside), 6 the page of vendors with their valid TKDN
    # count (subquery). No date hierarchy (its distinct dates read the table whole): the
    # registration date is a list filter.
    with django_assert_num_queries(6):
        response = admin_client.get(_url("vendor", "changelist"))
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [2, 15])
def test_it_lists_tkdn_certificates_in_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, rows
):
    factories.TKDNCertificateFactory.create_batch(rows)
    # 1 user, 2-3 the user's own and group permissions,
    # 4 count of the filtered list (up to a limit; never of all rows beside), 5 the page
    # joined with its vendors.
    with django_assert_num_queries(5):
        response = admin_client.get(_url("tkdncertificate", "changelist"))
    assert len(response.context["cl"].result_list) == rows


def test_the_vendor_list_keeps_to_the_columns_an_admin_scans(admin_client):
    """At 1366 px beside the filters: NIB and NPWP share a column, sign-up shows its day."""
    vendor = _pending_vendor()
    response = admin_client.get(_url("vendor", "changelist"))
    assert list(response.context["cl"].list_display) == [
        "action_checkbox",
        "name",
        "status",
        "scale",
        "city",
        "registration_numbers",
        "tkdn_valid",
        "joined",
    ]
    html = response.content.decode()
    assert f"{vendor.nib}<br>{vendor.npwp_display}" in html
    assert date_format(timezone.localdate(vendor.created_at), "DATE_FORMAT") in html
    # The admin's pages have the screen's width: no app list beside them.
    assert 'id="nav-sidebar"' not in html
