"""One world for the access walk: two vendors, two OPDs and an admin, and one object of
every kind a URL names, each belonging to vendor A, OPD A or their people. The walk then
asks for vendor A's and OPD A's objects as everyone else.

The cast (`World.users`):
- owner, staff: the owner and a staff member of vendor A;
- other_vendor: the owner of vendor B;
- officer: the PPK of OPD A; other_officer: the PPK of OPD B;
- admin: a Dinas PPKUKM admin.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Notification, User
from contracts import services as contract_services
from contracts.models import Invoice, Payment
from matching import services as matching_services
from matching.models import CheckIn, MeetingStatus, Outcome, ScheduleRun, Suggestion
from matching.rules import EventStatus
from procurement import services as procurement_services
from procurement.models import Bid, Package
from procurement.rules import Status
from tests import factories
from tests.contracts.conftest import make_contract
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from tests.otp import otp_device
from tests.procurement.conftest import evaluate_now, lines_for, pass_all_bids, past_deadline
from vendors import services as vendor_services
from vendors.models import (
    AssistanceStatus,
    CertificateStatus,
    HalalAssistance,
    HalalScheme,
    MemberRole,
    ProductPhoto,
    VendorStatus,
)

ANON = "anonymous"
OWNER = "owner"
STAFF = "staff"
OTHER_VENDOR = "other_vendor"
OFFICER = "officer"
OTHER_OFFICER = "other_officer"
ADMIN = "admin"
ROLES = (ANON, OWNER, STAFF, OTHER_VENDOR, OFFICER, OTHER_OFFICER, ADMIN)
# OPD A's pokja: gives the evaluation's verdicts (the fuzzer posts them as it); the walk's
# OFFICER is OPD A's PPK.
POKJA = "pokja"

# Words that exist only in vendor A's and OPD A's private objects: a page that shows one of
# them to a role that may not see the object leaks it, whatever its status code says.
HIDDEN_PRODUCT = "Kerupuk Rahasia Usaha A"
PENDING_CERTIFICATE = "RAHASIA-TKDN-A/2026"
DRAFT_TITLE = "Pengadaan rahasia draf OPD A"
CANCELLED_DRAFT_TITLE = "Pengadaan OPD A dibatalkan sebelum diumumkan"
OBJECTION_TEXT = "Sanggah rahasia usaha A atas penetapan pemenang"
NOTIFICATION_TEXT = "Pemberitahuan rahasia untuk pemilik usaha A"
INVITED_EMAIL = "calon-staf-rahasia-a@contoh.id"
PENDING_VENDOR = "CV Rahasia Menunggu Verifikasi"
NEED_TEXT = "Kebutuhan rahasia OPD A: kursi lipat aula"
INVOICE_NUMBER = "TAGIHAN-RAHASIA-A/2026"
DELIVERY_NOTE = "Catatan rahasia pengiriman OPD A untuk usaha A"


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, object] = field(default_factory=dict)
    # role -> the secrets it must never see
    secrets: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _bidder_products(member, *, tkdn: str, bmp: str, desk_price: str, cabinet_price: str):
    """A desk and a cabinet, each with a verified TKDN certificate: what the packages buy."""
    vendor = member.vendor
    desk = factories.ProductFactory(
        vendor=vendor, name=f"Meja {vendor.pk}", unit_price=Decimal(desk_price), kbli="31001"
    )
    cabinet = factories.ProductFactory(
        vendor=vendor, name=f"Lemari {vendor.pk}", unit_price=Decimal(cabinet_price), kbli="31001"
    )
    factories.TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=Decimal(tkdn), bmp_pct=Decimal(bmp)
    )
    factories.TKDNCertificateFactory(
        vendor=vendor, products=[cabinet], tkdn_pct=Decimal("21.00"), bmp_pct=Decimal("3")
    )
    return member.user, vendor, desk, cabinet


def _package(opd, officer_user, *, status=Status.ANNOUNCED, **fields) -> Package:
    # HPS = 1,000 x 1,200,000 + 50 x 3,000,000: every bid of the world stays within it.
    fields.setdefault("hps", Decimal("1350000000"))
    package = factories.PackageFactory(opd=opd, created_by=officer_user, status=status, **fields)
    factories.PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1200000")
    )
    factories.PackageItemFactory(
        package=package,
        position=2,
        description="Lemari arsip",
        quantity=Decimal("50"),
        unit="unit",
        hps_unit_price=Decimal("3000000"),
    )
    return package


def _bid(package, bidder, **prices) -> Bid:
    user, vendor, desk, cabinet = bidder
    return procurement_services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet, **prices)
    )


def _evaluated(opd, officer_user, loser, winner) -> Package:
    """A package with the bids of `loser` and `winner`, closed and evaluated."""
    package = _package(opd, officer_user)
    _bid(package, loser, desk_price="1100000", cabinet_price="2900000")
    _bid(package, winner)
    past_deadline(package)
    procurement_services.packages_close_due()
    evaluate_now(package)
    assert package.status == Status.EVALUATION, package.status
    return package


def build_world() -> World:
    owner_member = factories.VendorMemberFactory(role=MemberRole.OWNER)
    vendor_a = owner_member.vendor
    staff_member = factories.VendorMemberFactory(vendor=vendor_a, role=MemberRole.STAFF)
    other_member = factories.VendorMemberFactory(role=MemberRole.OWNER)
    officer = factories.OfficerFactory(position="ppk")
    other_officer = factories.OfficerFactory(position="ppk")
    admin = factories.AdminFactory()
    # Another admin's authenticator: its secret is nobody else's business.
    device = otp_device(factories.AdminFactory())
    users = {
        OWNER: owner_member.user,
        STAFF: staff_member.user,
        OTHER_VENDOR: other_member.user,
        OFFICER: officer.user,
        OTHER_OFFICER: other_officer.user,
        ADMIN: admin,
        POKJA: factories.OfficerFactory(opd=officer.opd, position="pokja").user,
    }
    ids: dict[str, object] = {}

    # Vendor A: products (one public with a photo, one inactive with a photo), certificates
    # (verified and pending, TKDN and halal, with their files), a staff member, an invitation.
    bidder_a = _bidder_products(
        owner_member, tkdn="40.00", bmp="5", desk_price="1100000", cabinet_price="2900000"
    )
    public_product = bidder_a[2]
    hidden_product = factories.ProductFactory(vendor=vendor_a, name=HIDDEN_PRODUCT, is_active=False)
    public_photo = ProductPhoto.objects.create(
        product=public_product, image=factories.image_upload("meja.png")
    )
    hidden_photo = ProductPhoto.objects.create(
        product=hidden_product, image=factories.image_upload("rahasia.png")
    )
    # The one the walk deletes: a deleted file is gone whatever the database rolls back.
    doomed_photo = ProductPhoto.objects.create(
        product=hidden_product, image=factories.image_upload("hapus.png")
    )
    verified_tkdn = vendor_a.tkdn_certificates.order_by("pk").first()
    verified_halal = factories.HalalCertificateFactory(vendor=vendor_a, products=[public_product])
    pending_tkdn = factories.TKDNCertificateFactory(
        vendor=vendor_a,
        number=PENDING_CERTIFICATE,
        products=[hidden_product],
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    pending_halal = factories.HalalCertificateFactory(
        vendor=vendor_a,
        products=[hidden_product],
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    invitation = vendor_services.invitation_create(
        vendor=vendor_a, by=owner_member.user, email=INVITED_EMAIL
    )
    assistance = HalalAssistance.objects.create(
        vendor=vendor_a, scheme=HalalScheme.SELF_DECLARE, status=AssistanceStatus.SUBMITTED
    )
    assistance.products.set([public_product])
    Notification.objects.create(user=owner_member.user, message=NOTIFICATION_TEXT)
    # Vendor B has a product of its own (its certificate pages open), and a vendor still
    # waiting for verification has a directory page nobody sees.
    factories.ProductFactory(vendor=other_member.vendor, name="Produk usaha B")
    pending_vendor = factories.VendorFactory(
        name=PENDING_VENDOR, status=VendorStatus.PENDING, verified_at=None
    )
    # A vendor of no one in the walk on the blacklist (the admin's decision pages open).
    vendor_services.blacklisting_create(
        vendor=factories.VendorFactory(name="CV Daftar Hitam"),
        by=admin,
        reason="Wanprestasi pada kontrak sebelumnya.",
        decision_reference="KEP-DH/001/2026",
        starts_on=timezone.localdate(),
    )
    ids.update(
        vendor_a=vendor_a.pk,
        pending_vendor=pending_vendor.pk,
        staff_member=staff_member.pk,
        invitation=invitation.pk,
        invitation_token=vendor_services.invitation_token(invitation),
        hidden_product=hidden_product.pk,
        public_photo=public_photo.pk,
        hidden_photo=hidden_photo.pk,
        doomed_photo=doomed_photo.pk,
        verified_tkdn=verified_tkdn.pk,
        verified_halal=verified_halal.pk,
        pending_tkdn=pending_tkdn.pk,
        pending_halal=pending_halal.pk,
    )

    # OPD A's packages, one in each state a URL acts on. Vendor C wins the evaluated ones;
    # vendor A loses and files an objection.
    opd = officer.opd
    bidder_c = _bidder_products(
        factories.VendorMemberFactory(),
        tkdn="71.30",
        bmp="12",
        desk_price="1150000",
        cabinet_price="2750000",
    )
    draft = _package(opd, officer.user, status=Status.DRAFT, title=DRAFT_TITLE)
    # A draft cancelled before it was ever announced: still the OPD's alone.
    cancelled_draft = _package(opd, officer.user, status=Status.DRAFT, title=CANCELLED_DRAFT_TITLE)
    procurement_services.package_cancel(
        package=cancelled_draft, by=officer.user, reason="Anggaran dialihkan"
    )
    announced = _package(opd, officer.user)
    sealed_bid = _bid(announced, bidder_a, desk_price="1100000", cabinet_price="2900000")
    # Cancelled before its deadline: vendor A's bid was never opened, and never will be.
    cancelled_package = _package(opd, officer.user)
    never_opened_bid = _bid(
        cancelled_package, bidder_a, desk_price="1090000", cabinet_price="2880000"
    )
    procurement_services.package_cancel(
        package=cancelled_package, by=officer.user, reason="Kebutuhan berubah"
    )
    evaluation = _evaluated(opd, officer.user, bidder_a, bidder_c)
    run = evaluation.evaluation_runs.get()
    objection_package = _evaluated(opd, officer.user, bidder_a, bidder_c)
    pass_all_bids(objection_package)
    procurement_services.package_winner_announce(package=objection_package, by=officer.user)
    objection = procurement_services.objection_file(
        package=objection_package,
        by=owner_member.user,
        text=OBJECTION_TEXT,
        attachment=factories.pdf_upload("sanggah.pdf"),
    )
    awarded = _evaluated(opd, officer.user, bidder_a, bidder_c)
    pass_all_bids(awarded)
    procurement_services.package_winner_announce(package=awarded, by=officer.user)
    Package.objects.filter(pk=awarded.pk).update(
        objection_ends_at=timezone.now() - timedelta(seconds=1)
    )
    awarded.refresh_from_db()
    procurement_services.package_award(package=awarded, by=officer.user)
    bids = evaluation.bids.filter(status="active").order_by("pk")
    ids.update(
        draft_package=draft.pk,
        cancelled_draft=cancelled_draft.pk,
        announced_package=announced.pk,
        sealed_bid=sealed_bid.pk,
        cancelled_package=cancelled_package.pk,
        never_opened_bid=never_opened_bid.pk,
        evaluated_package=evaluation.pk,
        evaluation_run=run.pk,
        evaluated_bid=bids[0].pk,
        compare_query=f"a={bids[0].pk}&b={bids[1].pk}",
        objection_package=objection_package.pk,
        objection=objection.pk,
        awarded_package=awarded.pk,
        fiscal_year=awarded.fiscal_year,
    )

    # Business matching: a published event where both vendors exhibit and both officers
    # buy; a meeting of vendor A with OPD A's buyer; a held one with its outcome; a draft
    # event only admins see.
    event = event_create(status=EventStatus.REGISTRATION)
    exhibitor_a = exhibitor_create(event, member=owner_member)
    exhibitor_b = exhibitor_create(event, member=other_member)
    buyer_a = buyer_create(event, officer=officer, description=NEED_TEXT)
    buyer_create(event, officer=other_officer)
    slots = list(event.slots.order_by("starts_at"))
    meeting = meeting_create(buyer_a, exhibitor_a, slot=slots[0], table=1)
    held = meeting_create(
        buyer_a,
        exhibitor_b,
        slot=slots[1],
        table=2,
        status=MeetingStatus.HELD,
        need=buyer_a.needs.get(),
    )
    Outcome.objects.create(
        meeting=held, interest=True, estimated_value=Decimal("15000000"), recorded_by=admin
    )
    Suggestion.objects.create(
        need=buyer_a.needs.get(),
        exhibitor=exhibitor_a,
        product=exhibitor_a.products.get(),
        score=60,
        reasons=["kbli_same"],
    )
    CheckIn.objects.create(participant=buyer_a, day=slots[0].starts_at.date(), by=admin)
    event.status = EventStatus.PUBLISHED
    event.save(update_fields=["status"])
    schedule_run = ScheduleRun.objects.create(event=event, requested_by=admin)
    # An event taken back to draft after vendor A and OPD A registered: theirs no more
    # until it opens again.
    draft_event = event_create(status=EventStatus.DRAFT, name="Temu bisnis rahasia")
    matching_services.event_slots_rebuild(event=draft_event)
    exhibitor_create(draft_event, member=owner_member)
    buyer_create(draft_event, officer=officer)
    ids.update(
        event=event.pk,
        draft_event=draft_event.pk,
        exhibitor_a=exhibitor_a.pk,
        buyer_a=buyer_a.pk,
        need_a=buyer_a.needs.get().pk,
        meeting=meeting.pk,
        held_meeting=held.pk,
        schedule_run=schedule_run.pk,
        vendor_content_type=ContentType.objects.get_for_model(vendor_a).pk,
    )

    # Contracts of OPD A with vendor A: one delivering (its delivery waits for vendor A's
    # answer), one handed over (its BAST signed, vendor A rated).
    today = timezone.localdate()
    delivering = make_contract(officer.user, bidder_a, number="KTR/A/1")
    handed_over = make_contract(officer.user, bidder_a, number="KTR/A/2")
    for contract in (delivering, handed_over):
        desk_line = contract.lines.order_by("position").first()
        contract_services.delivery_record(
            contract=contract,
            by=officer.user,
            delivered_on=today,
            lines=[contract_services.DeliveryLineInput(desk_line, Decimal("5"), Decimal("5"))],
            note=DELIVERY_NOTE,
        )
    contract_services.handover_sign(
        contract=handed_over,
        by=officer.user,
        signed_on=today,
        rating=contract_services.RatingInput(4, 4, 3, 3),
    )
    # The handed-over contract's invoice and a payment (the treasurer's pages record them).
    invoice = Invoice.objects.create(
        contract=handed_over,
        number=INVOICE_NUMBER,
        issued_on=today,
        amount=Decimal("5000000"),
        recorded_by=officer.user,
        recorded_at=timezone.now(),
    )
    Payment.objects.create(
        invoice=invoice,
        paid_on=today,
        amount=Decimal("5000000"),
        tax_withheld=Decimal("75000"),
        recorded_by=officer.user,
        recorded_at=timezone.now(),
    )
    ids.update(
        delivering_contract=delivering.pk,
        handed_over_contract=handed_over.pk,
        pending_delivery=delivering.deliveries.get().pk,
    )

    # A failed sign-in to owner A's account, as django-axes records it.
    attempt = {
        "username": owner_member.user.email,
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (uji)",
        "http_accept": "text/html",
        "path_info": "/akun/masuk/",
        "attempt_time": timezone.now(),
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)

    secrets = dict.fromkeys(ROLES, (device.key,))
    outsiders = (ANON, OTHER_VENDOR, OFFICER, OTHER_OFFICER)
    for role in outsiders:
        secrets[role] += (HIDDEN_PRODUCT, PENDING_CERTIFICATE, INVITED_EMAIL)
    # A sealed bid is its bidder's alone, admins included, until the package closes; one
    # never opened (its package cancelled before the deadline) for ever.
    for role in set(ROLES) - {OWNER, STAFF}:
        secrets[role] += (sealed_bid.receipt_hash, never_opened_bid.receipt_hash)
    for role in set(ROLES) - {ADMIN}:
        secrets[role] += (PENDING_VENDOR,)
    # The exhibitors of the event read OPD A's needs; the public and OPD B do not.
    for role in (ANON, OTHER_OFFICER):
        secrets[role] += (NEED_TEXT,)
    for role in (ANON, OWNER, STAFF, OTHER_VENDOR, OTHER_OFFICER):
        secrets[role] += (DRAFT_TITLE, CANCELLED_DRAFT_TITLE)
    for role in (ANON, OTHER_VENDOR, OTHER_OFFICER):
        secrets[role] += (OBJECTION_TEXT, INVOICE_NUMBER)
    for role in (ANON, STAFF, OTHER_VENDOR, OFFICER, OTHER_OFFICER):
        secrets[role] += (NOTIFICATION_TEXT,)
    for role in (ANON, OTHER_VENDOR, OTHER_OFFICER):
        secrets[role] += (DELIVERY_NOTE,)
    return World(users=users, ids=ids, secrets=secrets)
