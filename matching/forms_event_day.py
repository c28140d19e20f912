"""Forms of the event day: a meeting's outcome, the check-in desk, the hall's table sheet."""

from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from matching.agenda import ProductLine
from matching.models import FollowUp, Meeting, MeetingStatus, Outcome, Participant
from p3dn_portal.lib import formatting
from p3dn_portal.lib.fields import RupiahField
from procurement.models import Package
from vendors.models import Product

HELD = "held"
NO_SHOW = "no_show"
YES = "yes"
NO = "no"

INTEREST_REQUIRED = _("Pilih apakah pembeli menyatakan minat.")
VALUE_WITHOUT_INTEREST = _(
    "Perkiraan nilai diisi hanya bila ada pernyataan minat. Kosongkan, atau pilih “Ya”."
)
CATALOGUE_REF_REQUIRED = _("Tulis nomor pesanan e-katalog.")
PACKAGE_REQUIRED = _("Pilih paket pengadaan OPD Anda yang menjadi tindak lanjut.")
PARTICIPANT_UNKNOWN = _(
    "Peserta tidak ditemukan di acara ini, atau belum diterima. Cari lagi namanya."
)
DAY_UNKNOWN = _("Pilih salah satu hari acara.")


class _ProductChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        content = obj.local_content
        return str(ProductLine(obj.name, content.tkdn_pct if content.certificate else None))


class _PackageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Package) -> str:
        return f"{obj.rup_code} · {obj.title} (TA {obj.fiscal_year})"


class OutcomeForm(forms.Form):
    """What came of a meeting: the fields services.outcome_record takes."""

    held = forms.ChoiceField(
        label=_("Pertemuan"),
        choices=[(HELD, _("Terlaksana")), (NO_SHOW, _("Tidak hadir (salah satu pihak absen)"))],
        widget=forms.RadioSelect,
    )
    interest = forms.ChoiceField(
        label=_("Pernyataan minat"),
        choices=[(YES, _("Ya, pembeli menyatakan minat")), (NO, _("Tidak"))],
        widget=forms.RadioSelect,
        required=False,
    )
    estimated_value = RupiahField(
        label=_("Perkiraan nilai (Rp)"),
        required=False,
        help_text=_(
            "Nilai dalam pernyataan minat, misalnya 150.000.000. Kosongkan bila belum ada."
        ),
    )
    products = _ProductChoice(
        label=_("Produk yang dibahas"),
        queryset=Product.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label=_("Catatan"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up = forms.ChoiceField(
        label=_("Tindak lanjut"),
        choices=FollowUp.choices,
        initial=FollowUp.NONE,
        widget=forms.RadioSelect,
    )
    catalogue_order_ref = forms.CharField(
        label=_("Nomor pesanan e-katalog"),
        max_length=60,
        required=False,
        help_text=_("Diisi bila tindak lanjutnya pesanan e-katalog."),
    )
    package = _PackageChoice(
        label=_("Paket pengadaan"),
        queryset=Package.objects.none(),
        required=False,
        empty_label=_("— pilih paket OPD —"),
        help_text=_("Diisi bila tindak lanjutnya paket pengadaan OPD pembeli."),
    )

    def __init__(
        self,
        *args: object,
        products: QuerySet[Product],
        packages: QuerySet[Package],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
        self.fields["package"].queryset = packages

    @staticmethod
    def initial_for(meeting: Meeting, outcome: Outcome | None) -> dict:
        if meeting.status == MeetingStatus.NO_SHOW:
            return {"held": NO_SHOW, "follow_up": FollowUp.NONE}
        if outcome is None:
            return {"held": HELD, "follow_up": FollowUp.NONE}
        return {
            "held": HELD,
            "interest": YES if outcome.interest else NO,
            "estimated_value": outcome.estimated_value,
            "products": list(outcome.products.all()),
            "notes": outcome.notes,
            "follow_up": outcome.follow_up,
            "catalogue_order_ref": outcome.catalogue_order_ref,
            "package": outcome.package_id,
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("held") == NO_SHOW:
            # Nothing else is recorded for a meeting that did not take place.
            for name in [n for n in self.errors if n != "held"]:
                del self.errors[name]
            return data
        if data.get("held") != HELD:
            return data
        interest = data.get("interest")
        if not interest:
            self.add_error("interest", INTEREST_REQUIRED)
        elif interest == NO and data.get("estimated_value") is not None:
            self.add_error("estimated_value", VALUE_WITHOUT_INTEREST)
        follow_up = data.get("follow_up")
        if follow_up == FollowUp.CATALOGUE and not data.get("catalogue_order_ref", "").strip():
            self.add_error("catalogue_order_ref", CATALOGUE_REF_REQUIRED)
        if follow_up == FollowUp.PACKAGE and data.get("package") is None:
            self.add_error("package", PACKAGE_REQUIRED)
        return data

    def outcome(self) -> dict:
        """The keyword arguments of services.outcome_record, from a valid form."""
        data = self.cleaned_data
        if data["held"] != HELD:
            return {"held": False}
        value: Decimal | None = data["estimated_value"]
        return {
            "held": True,
            "interest": data["interest"] == YES,
            "estimated_value": value,
            "products": list(data["products"]),
            "notes": data["notes"].strip(),
            "follow_up": data["follow_up"],
            "catalogue_order_ref": data["catalogue_order_ref"].strip(),
            "package": data["package"],
        }


class DeskSearchForm(forms.Form):
    """The desk's search; the template writes its inputs by hand for htmx."""

    ALL = "all"
    TODAY = "today"
    ABSENT = "absent"

    q = forms.CharField(label=_("Cari peserta"), max_length=100, required=False)
    show = forms.ChoiceField(
        label=_("Tampilkan"),
        choices=[
            (ALL, _("Semua peserta diterima")),
            (TODAY, _("Yang punya pertemuan hari ini")),
            (ABSENT, _("Yang belum hadir hari ini")),
        ],
        required=False,
    )

    def filters(self) -> tuple[str, str]:
        """(search text, which participants); a bad value falls back to all of them."""
        self.is_valid()
        data = self.cleaned_data
        return data.get("q", "").strip(), data.get("show") or self.ALL


class CheckInForm(forms.Form):
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages={"required": PARTICIPANT_UNKNOWN, "invalid_choice": PARTICIPANT_UNKNOWN},
    )

    def __init__(self, *args: object, participants: QuerySet[Participant], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class SheetDayForm(forms.Form):
    day = forms.ChoiceField(
        label=_("Hari"), error_messages={"invalid_choice": DAY_UNKNOWN, "required": DAY_UNKNOWN}
    )

    def __init__(self, *args: object, days: list[date], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(d.isoformat(), formatting.day(d)) for d in days]

    def clean_day(self) -> date:
        return date.fromisoformat(self.cleaned_data["day"])
