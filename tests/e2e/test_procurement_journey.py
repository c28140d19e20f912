"""The whole procurement journey in a real browser, as the README tells it: a new vendor
signs up on a phone, registers the company, adds a product and uploads its TKDN
certificate; a Dinas PPKUKM admin verifies both in Django admin (password and code); an OPD
officer creates and announces a package; two vendors bid; the package closes, the
evaluation runs on a real Celery worker while the officer watches its progress bar; the
pokja gives its verdicts (administrative and technical evaluation) and the ranking becomes
final; the PPK confirms the winner on the announcement page, the objection period ends and
the award is made. The rival tries to send a shorter volume than the document's (a crafted
field): the bid is sealed at the document's volume all the same.

The numbers show the P3DN preference at work: the new vendor's bid is dearer but its TKDN
of 60% earns a preference of 60% x 25% = 15%, so its final evaluated price (HEA)
0,85 x Rp1.180.000.000 = Rp1.003.000.000 beats the other's 0,925 x Rp1.100.000.000 =
Rp1.017.500.000 (TKDN 30%, preference 7,5%); the contract is signed at the bid price."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from procurement.models import Package
from procurement.rules import Status
from procurement.services import EVALUATION_LOCK_NAMESPACE
from tests import factories
from tests.e2e.browser import login, login_admin, mail_link, wait_for_mail
from tests.otp import otp_device
from vendors.models import CertificateStatus, TKDNCertificate, Vendor, VendorStatus

pytestmark = pytest.mark.django_db(transaction=True)

NEW_VENDOR = {
    "email": "sari.meubel@contoh.id",
    "full_name": "Sari Wulandari",
    "phone": "0812-7788-9900",
    "password": "Meja-Jati-Condet-2026",
}
COMPANY = "CV Meubel Jati Condet"
NIB = "9120005550123"
NPWP = "01.000.013.1-093.000"  # its 9th digit is the Luhn check digit of the first 8
PRODUCT = "Meja Belajar Jati Condet"
CERTIFICATE = "2211/SJ-IND.8/TKDN/7/2025"
PACKAGE = "Pengadaan meja belajar siswa SD negeri"


@pytest.fixture
def other_vendor(db):
    """A verified small business with a certified desk (TKDN 30%, BMP 0): the rival."""
    member = factories.VendorMemberFactory(
        vendor__name="CV Mebel Mahoni Bekasi", user__email="mahoni@contoh.id"
    )
    product = factories.ProductFactory(
        vendor=member.vendor,
        name="Meja Belajar Mahoni",
        kbli="31001",
        unit="unit",
        unit_price=Decimal("1150000"),
    )
    factories.TKDNCertificateFactory(
        vendor=member.vendor, products=[product], tkdn_pct=Decimal("30"), bmp_pct=Decimal("0")
    )
    return member.user


@pytest.fixture
def ppk(db):
    return factories.OfficerFactory(
        user__email="ppk.disdik@contoh.id",
        user__full_name="Rudi Hartono",
        opd__name="Dinas Pendidikan",
        opd__short_name="Disdik",
    ).user


@pytest.fixture
def pokja(ppk):
    return factories.OfficerFactory(
        user__email="pokja.disdik@contoh.id",
        user__full_name="Hendra Gunawan",
        opd=ppk.officer.opd,
        position="pokja",
    ).user


@pytest.fixture
def admin(db):
    user = factories.AdminFactory(email="admin.ppkukm@contoh.id", full_name="Dewi Lestari")
    otp_device(user)
    return user


def test_a_new_vendor_wins_a_package_through_the_tkdn_preference(
    journey, worker, other_vendor, ppk, pokja, admin, tmp_path
):
    vendor = journey.open(phone=True)
    _vendor_signs_up_and_registers(journey, vendor)
    _vendor_adds_a_product_and_its_certificate(journey, vendor, tmp_path)

    staff = journey.open()
    _admin_verifies_vendor_and_certificate(journey, staff, admin)
    vendor.goto(journey.url("/penyedia/produk/"))
    journey.step(vendor, "vendor-product-certified")
    row = vendor.get_by_role("row").filter(has_text=PRODUCT)
    expect(row).to_contain_text("60,00%")
    expect(row).to_contain_text("T1")

    officer = journey.open()
    package_url = _officer_creates_and_announces_the_package(journey, officer, ppk)

    _vendor_bids(journey, vendor, package_url, unit_price="1.180.000", name="vendor")
    rival = journey.open()
    login(journey, rival, "mahoni@contoh.id", factories.PASSWORD)
    journey.step(rival, "rival-home")
    _vendor_bids(
        journey, rival, package_url, unit_price="1.100.000", name="rival", crafted_volume="500"
    )

    officer.goto(package_url)
    journey.step(officer, "officer-two-sealed-bids")
    expect(officer.locator(".officer-panel")).to_contain_text("2 penawaran masuk.")
    expect(officer.locator("main")).not_to_contain_text("Rp1.180.000.000")  # sealed

    _package_closes_and_is_evaluated(journey, officer, package_url)
    _pokja_gives_its_verdicts(journey, journey.open(), pokja, package_url)
    _winner_announced_and_awarded(journey, officer, vendor, rival, package_url)
    journey.finish()


# --- The new vendor ---------------------------------------------------------------------------


def _vendor_signs_up_and_registers(journey, page) -> None:
    page.goto(journey.url("/"))
    journey.step(page, "landing")
    page.get_by_role("link", name="Daftar sebagai penyedia UMKM").click()
    journey.step(page, "signup")
    page.locator("#id_email").fill(NEW_VENDOR["email"])
    page.locator("#id_full_name").fill(NEW_VENDOR["full_name"])
    page.locator("#id_phone").fill(NEW_VENDOR["phone"])
    page.locator("#id_password1").fill(NEW_VENDOR["password"])
    page.locator("#id_password2").fill(NEW_VENDOR["password"])
    page.get_by_role("button", name="Buat akun").click()
    expect(page.locator("main")).to_contain_text(
        f"Kami mengirim tautan verifikasi ke {NEW_VENDOR['email']}"
    )
    journey.step(page, "verify-email-first")

    page.goto(journey.url(mail_link(NEW_VENDOR["email"], "/akun/verifikasi/")))
    expect(page.locator("main")).to_contain_text("Email Anda terverifikasi.")
    journey.step(page, "email-verified")

    page.goto(journey.url("/penyedia/daftar-usaha/"))
    journey.step(page, "register-identity")
    page.locator("#id_identitas-name").fill(COMPANY)
    page.locator("#id_identitas-legal_form").select_option("cv")
    page.locator("#id_identitas-nib").fill(NIB)
    page.locator("#id_identitas-npwp").fill(NPWP)
    page.locator("#id_identitas-kbli_codes").fill("31001, 16221")
    page.get_by_role("button", name="Lanjut").click()
    journey.step(page, "register-address")
    page.locator("#id_alamat-address").fill("Jl. Raya Condet No. 45")
    page.locator("#id_alamat-province").select_option("DKI Jakarta")
    page.locator("#id_alamat-city").fill("Kota Jakarta Timur")
    page.locator("#id_alamat-phone").fill("021-8091234")
    page.get_by_role("button", name="Lanjut").click()
    journey.step(page, "register-size")
    page.locator("#id_skala-capital").fill("80.000.000")
    summary = page.locator("main .card")
    expect(summary).to_contain_text(COMPANY)
    expect(summary).to_contain_text("9120005550123")
    expect(summary).to_contain_text("01.000.013.1-093.000")
    page.get_by_role("button", name="Kirim untuk verifikasi").click()
    expect(page.locator("h1")).to_have_text(COMPANY)
    expect(page.locator("main")).to_contain_text("menunggu verifikasi Dinas PPKUKM")
    expect(page.locator("main")).to_contain_text("Mikro")
    journey.step(page, "vendor-home-pending")
    company = Vendor.objects.get(nib=NIB)
    assert (company.status, company.scale) == (VendorStatus.PENDING, "mikro")


def _vendor_adds_a_product_and_its_certificate(journey, page, tmp_path) -> None:
    page.goto(journey.url("/penyedia/produk/"))
    journey.step(page, "products-empty")
    page.get_by_role("link", name="Tambah produk").click()
    journey.step(page, "product-form")
    page.locator("#id_name").fill(PRODUCT)
    page.locator("#id_description").fill(
        "Meja belajar siswa dari kayu jati Jawa, finishing melamin."
    )
    page.locator("#id_kbli").fill("31001")
    page.locator("#id_unit").fill("unit")
    page.locator("#id_unit_price").fill("1.250.000")
    page.locator("#id_brand").fill("Jati Condet")
    page.get_by_role("button", name=re.compile("Simpan")).click()
    expect(page.locator("main")).to_contain_text(PRODUCT)
    journey.step(page, "product-saved")

    pdf = tmp_path / "sertifikat-tkdn.pdf"
    pdf.write_bytes(factories.PDF_BYTES)
    page.goto(journey.url("/penyedia/sertifikat/"))
    journey.step(page, "certificates")
    page.get_by_role("link", name="Unggah sertifikat TKDN").click()
    journey.step(page, "certificate-form")
    today = timezone.localdate()
    page.locator("#id_number").fill(CERTIFICATE)
    page.get_by_label(PRODUCT).check()
    page.locator("#id_tkdn_pct").fill("60")
    page.locator("#id_bmp_pct").fill("10")
    page.locator("#id_issued_on").fill((today - timedelta(days=120)).isoformat())
    page.locator("#id_expires_on").fill((today + timedelta(days=5 * 365)).isoformat())
    page.locator("#id_basis").select_option("lvi")
    page.locator("#id_file").set_input_files(pdf)
    page.get_by_role("button", name="Kirim untuk verifikasi").click()
    expect(page.locator("main")).to_contain_text(CERTIFICATE)
    journey.step(page, "certificate-submitted")
    certificate = TKDNCertificate.objects.get(number=CERTIFICATE)
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.tkdn_pct == Decimal("60")


# --- The admin ----------------------------------------------------------------------------------


def _admin_verifies_vendor_and_certificate(journey, page, admin) -> None:
    login_admin(journey, page, admin, next_path="/admin/vendors/vendor/")
    journey.step(page, "admin-vendors")
    _admin_action(page, COMPANY, "Verifikasi")
    expect(page.locator(".messagelist")).to_contain_text("1 data diverifikasi")
    journey.step(page, "admin-vendor-verified")
    assert Vendor.objects.get(nib=NIB).status == VendorStatus.VERIFIED

    page.goto(journey.url("/admin/vendors/tkdncertificate/"))
    journey.step(page, "admin-certificates")
    _admin_action(page, CERTIFICATE, "Verifikasi")
    expect(page.locator(".messagelist")).to_contain_text("1 data diverifikasi")
    journey.step(page, "admin-certificate-verified")
    assert TKDNCertificate.objects.get(number=CERTIFICATE).status == CertificateStatus.VERIFIED
    # The vendor hears of each decision by mail.
    wait_for_mail(NEW_VENDOR["email"], f"{COMPANY} terverifikasi di P3DN Portal")
    wait_for_mail(NEW_VENDOR["email"], f"{CERTIFICATE} terverifikasi")


def _admin_action(page, row_text: str, action: str) -> None:
    """Tick the row in a Django admin list, choose the action, run it."""
    page.locator("#result_list tr").filter(has_text=row_text).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("button[name=index]").click()
    page.wait_for_load_state("load")


# --- The officer --------------------------------------------------------------------------------


def _jakarta_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _officer_creates_and_announces_the_package(journey, page, ppk) -> str:
    login(journey, page, ppk.email, factories.PASSWORD)
    journey.step(page, "officer-home")
    page.goto(journey.url("/pengadaan/paket/"))
    journey.step(page, "officer-packages")
    page.get_by_role("link", name="Paket baru").click()
    journey.step(page, "package-form")
    now = timezone.now()
    page.locator("#id_rup_code").fill("51234567")
    page.locator("#id_title").fill(PACKAGE)
    page.locator("#id_method").select_option("tender")
    page.locator("#id_pagu").fill("1.500.000.000")
    page.locator("#id_opens_at").fill(_jakarta_input(now - timedelta(hours=1)))
    page.locator("#id_closes_at").fill(_jakarta_input(now + timedelta(days=3)))
    page.locator("#id_items-0-description").fill("Meja belajar siswa kayu jati")
    page.locator("#id_items-0-kbli").fill("31001")
    page.locator("#id_items-0-quantity").fill("1.000")
    page.locator("#id_items-0-unit").fill("unit")
    page.locator("#id_items-0-hps_unit_price").fill("1.200.000")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator("h1")).to_have_text(PACKAGE)
    expect(page.locator("main")).to_contain_text("Rp1.200.000.000")  # the HPS
    journey.step(page, "package-draft")
    page.get_by_role("button", name="Umumkan paket").click()
    # A step that cannot be undone asks first, saying what will happen.
    expect(page.locator("h1")).to_have_text("Umumkan paket ini?")
    journey.step(page, "package-announce-asked")
    page.get_by_role("button", name="Ya, umumkan paket").click()
    expect(page.locator(".officer-panel")).to_contain_text("Diumumkan")
    journey.step(page, "package-announced")
    assert Package.objects.get(title=PACKAGE).status == Status.ANNOUNCED
    return page.url


# --- Bidding ------------------------------------------------------------------------------------


def _vendor_bids(
    journey, page, package_url: str, *, unit_price: str, name: str, crafted_volume: str = ""
) -> None:
    page.goto(journey.url("/pengadaan/paket-diumumkan/"))
    journey.step(page, f"{name}-open-packages")
    page.get_by_role("link", name=PACKAGE).click()
    assert page.url == package_url
    journey.step(page, f"{name}-package")
    page.get_by_role("link", name="Ajukan penawaran").click()
    journey.step(page, f"{name}-bid-form")
    # The document's volume is shown, not typed.
    expect(page.locator("main table")).to_contain_text("1.000 unit")
    expect(page.locator("input[name^=quantity_]")).to_have_count(0)
    product = page.locator("select[name^=product_]")
    product.select_option(index=1)
    if name == "vendor":
        # Sent without a price first: the form says what is missing, next to the field.
        page.get_by_role("button", name="Kirim penawaran").click()
        expect(page.locator("main")).to_contain_text(
            "Isi harga satuan penawaran Anda untuk rincian “Meja belajar siswa kayu jati”."
        )
        journey.step(page, f"{name}-bid-form-error")
    page.locator("input[name^=unit_price_]").fill(unit_price)
    if crafted_volume:
        # A hand-made field asks for fewer desks than the document: the server ignores it.
        item_id = page.locator("input[name^=unit_price_]").get_attribute("name").split("_")[-1]
        page.locator("main form[method=post]").evaluate(
            "(form, [name, value]) => { const input = document.createElement('input');"
            " input.type = 'hidden'; input.name = name; input.value = value;"
            " form.appendChild(input); }",
            [f"quantity_{item_id}", crafted_volume],
        )
    page.get_by_role("button", name="Kirim penawaran").click()
    expect(page.locator("main")).to_contain_text("Penawaran versi 1 tersegel dan tersimpan.")
    if crafted_volume:
        expect(page.locator("main table")).to_contain_text("1.000 unit")
        expect(page.locator("main")).to_contain_text("Rp1.100.000.000")
    fingerprint = page.locator("main code").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint.strip()), fingerprint
    journey.step(page, f"{name}-receipt")


# --- Closing, evaluation, award -----------------------------------------------------------------


def _package_closes_and_is_evaluated(journey, officer, package_url: str) -> None:
    package = Package.objects.get(title=PACKAGE)
    # The deadline passes: the clock moves past it (the database clock decides closing).
    Package.objects.filter(pk=package.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    officer.reload()
    journey.step(officer, "officer-deadline-passed")
    # Another evaluation of this package holds its lock, as a long one would: the run
    # waits on the worker, and the officer sees its progress until the lock is let go.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [EVALUATION_LOCK_NAMESPACE, package.pk])
    try:
        officer.get_by_role("button", name="Tutup dan buka penawaran").click()
        expect(officer.locator("h1")).to_have_text("Tutup dan buka penawaran?")
        journey.step(officer, "officer-close-asked")
        officer.get_by_role("button", name="Ya, tutup dan buka penawaran").click()
        expect(officer.locator(".officer-panel")).to_contain_text("2 penawaran dibuka.")
        journey.step(officer, "officer-bids-opened")
        officer.get_by_role("link", name="Hasil evaluasi").click()
        progress = officer.get_by_role("progressbar", name="Kemajuan evaluasi")
        expect(progress).to_be_visible()
        # The page asks for the run's progress every two seconds while it runs.
        with officer.expect_response(re.compile(r"/pengadaan/evaluasi/\d+/status/")) as polled:
            pass
        assert polled.value.ok
        expect(officer.locator(".run-status")).to_contain_text("Evaluasi #")
        expect(officer.locator(".run-status")).to_contain_text("Sedang dihitung")
        expect(progress).to_be_visible()
        journey.step(officer, "evaluation-progress")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [EVALUATION_LOCK_NAMESPACE, package.pk]
            )
    # The page polls the run (htmx) and reloads itself with the ranking once it is done.
    ranking = officer.locator("table").filter(has_text="HEA")
    expect(ranking).to_be_visible(timeout=30_000)
    expect(progress).to_have_count(0)
    first, second = ranking.locator("tbody tr").all()
    expect(first).to_contain_text(COMPANY)
    expect(first).to_contain_text("Rp1.180.000.000")
    expect(first).to_contain_text("Rp1.003.000.000")
    expect(first).to_contain_text("T1")
    expect(second).to_contain_text("CV Mebel Mahoni Bekasi")
    expect(second).to_contain_text("Rp1.017.500.000")
    # No verdict yet: the ranking is provisional, and no winner can be announced from it.
    expect(officer.locator("main")).to_contain_text("Peringkat sementara")
    journey.step(officer, "evaluation-ranking")
    officer.goto(package_url)
    officer.get_by_role("link", name="Umumkan pemenang…").click()
    expect(officer.locator("main .alert")).to_contain_text("Peringkat masih sementara")
    expect(officer.get_by_role("button", name="Umumkan pemenang")).to_have_count(0)
    journey.step(officer, "announce-refused-provisional")


def _pokja_gives_its_verdicts(journey, page, pokja, package_url: str) -> None:
    """The pokja opens the administrative and technical evaluation: neither bid has a flag,
    so "confirm all" passes both; the ranking is computed again and becomes final."""
    login(journey, page, pokja.email, factories.PASSWORD)
    journey.step(page, "pokja-home")
    page.goto(package_url)
    journey.step(page, "pokja-package")
    page.get_by_role("link", name="Evaluasi administrasi dan teknis").click()
    expect(page.locator("h1")).to_have_text("Evaluasi administrasi dan teknis")
    expect(page.locator("main")).to_contain_text("Belum diputuskan")
    journey.step(page, "pokja-verdicts")
    page.get_by_role("button", name="Konfirmasi semua penawaran tanpa tanda").click()
    expect(page.locator("main")).to_contain_text(
        "2 penawaran tanpa tanda dinyatakan lulus semua persyaratan"
    )
    # The new run works on the worker; the page follows it and reloads once it is done.
    expect(page.locator("main .alert-success")).to_contain_text("Peringkat final", timeout=30_000)
    journey.step(page, "pokja-verdicts-final")
    page.get_by_role("link", name="Berita acara hasil evaluasi").click()
    expect(page.locator("main table")).to_contain_text("Lulus")
    expect(page.locator("main table")).to_contain_text("Hendra Gunawan")
    journey.step(page, "evaluation-minutes")


def _winner_announced_and_awarded(journey, officer, vendor, rival, package_url: str) -> None:
    officer.goto(package_url)
    journey.step(officer, "officer-winner-link")
    officer.get_by_role("link", name="Umumkan pemenang…").click()
    # Asked first: the bid ranked first, its HP and HEA, and why.
    main = officer.locator("main")
    expect(main).to_contain_text(f"Peringkat 1: {COMPANY}")
    expect(main).to_contain_text("Rp1.180.000.000")
    expect(main).to_contain_text("Rp1.003.000.000")
    expect(main).to_contain_text("peringkat 2 adalah CV Mebel Mahoni Bekasi")
    journey.step(officer, "officer-winner-confirm")
    officer.get_by_label(re.compile("mengumumkan penawaran peringkat 1")).check()
    officer.get_by_role("button", name="Umumkan pemenang").click()
    expect(officer.locator("main")).to_contain_text(
        f"Pemenang diumumkan: {COMPANY}. Masa sanggah berakhir"
    )
    expect(officer.locator(".officer-panel")).to_contain_text("Pemenang diumumkan, masa sanggah")
    journey.step(officer, "winner-announced")

    vendor.goto(package_url)
    expect(vendor.locator("main .badge.text-bg-success")).to_have_text("Pemenang")
    journey.step(vendor, "vendor-is-winner")
    rival.goto(package_url)
    expect(rival.locator("main")).to_contain_text("bukan pemenang")
    journey.step(rival, "rival-not-winner")
    # The losing bidder reads its own result and why: the winner's HEA beside its own.
    rival.get_by_role("link", name="Hasil evaluasi").click()
    own = rival.locator("#own-heading + dl")
    expect(own).to_contain_text("Peringkat2")
    expect(own).to_contain_text("Rp1.100.000.000")
    expect(own).to_contain_text("Rp1.017.500.000")
    expect(rival.locator("main table")).to_contain_text(COMPANY)
    expect(rival.locator("main table")).to_contain_text("Rp1.003.000.000")
    journey.step(rival, "rival-evaluation-result")

    # The five days of objection pass without one.
    package = Package.objects.get(title=PACKAGE)
    Package.objects.filter(pk=package.pk).update(
        objection_ends_at=timezone.now() - timedelta(minutes=1)
    )
    officer.reload()
    journey.step(officer, "officer-objection-over")
    officer.get_by_role("button", name="Tetapkan pemenang").click()
    expect(officer.locator("h1")).to_have_text("Tetapkan pemenang secara final?")
    expect(officer.locator("main")).to_contain_text("Rp1.180.000.000 (harga penawaran)")
    journey.step(officer, "award-asked")
    officer.get_by_role("button", name="Ya, tetapkan pemenang").click()
    expect(officer.locator("main")).to_contain_text(
        "Pemenang ditetapkan. Nilai kontrak Rp1.180.000.000 (harga penawaran)."
    )
    expect(officer.locator(".officer-panel")).to_contain_text("Penetapan pemenang final")
    journey.step(officer, "awarded")
    package.refresh_from_db()
    assert package.status == Status.AWARDED
    assert package.contract_value == Decimal("1180000000")

    vendor.goto(journey.url("/pengadaan/penawaran-saya/"))
    row = vendor.get_by_role("row").filter(has_text=PACKAGE)
    expect(row).to_contain_text("Penetapan pemenang final")
    expect(row).to_contain_text("Rp1.180.000.000")
    journey.step(vendor, "vendor-my-bids")

    vendor.goto(journey.url("/akun/pemberitahuan/"))
    expect(vendor.locator("main")).to_contain_text("Penetapan pemenang paket 51234567 final")
    expect(vendor.locator("main")).to_contain_text("Pemenang paket 51234567 diumumkan")
    journey.step(vendor, "vendor-notifications")
