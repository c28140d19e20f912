"""Demo contracts at each stage after the contract, through the real services: the Dinkes
beds and wheelchairs partly delivered (the vendor still to answer), and the Disdik chairs and
cabinets handed over with a chair of lower TKDN delivered in place of the bid's, so the
achieved TKDN falls below the offer and the contract is flagged; the vendor has confirmed
one delivery, disputed the other, acknowledged the BAST and answered its rating. Loading
twice changes nothing."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import Contract
from contracts.services import DeliveryLineInput, RatingInput
from procurement.models import Package
from vendors.models import Product

DOMAIN = "demo.p3dn.id"
PARTIAL_RUP_CODE = "48210004"  # Dinkes: beds and wheelchairs
SHORTFALL_RUP_CODE = "48210008"  # Disdik: chairs and cabinets


def demo_user(local: str) -> User:
    return User.objects.select_related("officer", "vendor_membership__vendor").get(
        email=f"{local}@{DOMAIN}"
    )


def demo_contract(rup_code: str) -> Contract | None:
    package = Package.objects.filter(rup_code=rup_code).select_related("contract").first()
    return getattr(package, "contract", None) if package else None


def load() -> None:
    today = timezone.localdate()
    partial = demo_contract(PARTIAL_RUP_CODE)
    if partial is not None and not partial.deliveries.exists():
        beds, wheelchairs = partial.lines.order_by("position")
        services.delivery_record(
            contract=partial,
            by=demo_user("ppk.dinkes"),
            delivered_on=today,
            lines=[
                DeliveryLineInput(beds, Decimal("60"), Decimal("60")),
                DeliveryLineInput(wheelchairs, Decimal("200"), Decimal("196")),
            ],
            note="Empat kursi roda rodanya bengkok: dikembalikan untuk diganti.",
        )

    flagged = demo_contract(SHORTFALL_RUP_CODE)
    if flagged is None or flagged.deliveries.exists():
        return
    ppk, owner = demo_user("ppk.disdik"), demo_user("mebel")
    chairs, cabinets = flagged.lines.order_by("position")
    first = services.delivery_record(
        contract=flagged,
        by=ppk,
        delivered_on=today,
        lines=[
            DeliveryLineInput(chairs, Decimal("60"), Decimal("60")),
            DeliveryLineInput(cabinets, Decimal("20"), Decimal("20")),
        ],
        note="Diperiksa di gudang UPT: jumlah dan fungsi sesuai.",
    )
    services.delivery_respond(delivery=first, by=owner, confirmed=True)
    imported = Product.objects.get(vendor=flagged.vendor, name="Kursi lipat rangka impor")
    second = services.delivery_record(
        contract=flagged,
        by=ppk,
        delivered_on=today,
        lines=[
            DeliveryLineInput(
                chairs,
                Decimal("40"),
                Decimal("40"),
                product=imported,
                substitution_reason="Stok kursi lipat buatan sendiri habis; penyedia mengirim "
                "kursi rangka impor dengan spesifikasi yang sama.",
            )
        ],
    )
    services.delivery_respond(
        delivery=second,
        by=owner,
        confirmed=False,
        note="Kursi pengganti sudah disetujui lisan oleh PPK sebelum dikirim.",
    )
    services.handover_sign(
        contract=flagged,
        by=ppk,
        signed_on=today,
        rating=RatingInput(
            quality=3,
            cost=4,
            time=2,
            service=3,
            note="Sebagian kursi diganti produk impor dan dikirim terlambat.",
        ),
    )
    services.handover_acknowledge(contract=flagged, by=owner)
    services.rating_answer(
        contract=flagged,
        by=owner,
        answer="Keterlambatan karena pemasok rangka lokal berhenti produksi; kami sudah "
        "mencari pemasok baru.",
    )
