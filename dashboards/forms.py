"""The dashboard's GET filters. An officer's OPD is fixed by the view, never by the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.selectors import Filters, opd_choices
from procurement.rules import Category, Method

MIN_YEAR = 2000
MAX_YEAR = 2100
QUARTERS = [
    ("", _("Setahun penuh")),
    ("1", _("Triwulan I (Januari-Maret)")),
    ("2", _("Triwulan II (April-Juni)")),
    ("3", _("Triwulan III (Juli-September)")),
    ("4", _("Triwulan IV (Oktober-Desember)")),
]


class FilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Tahun anggaran"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        error_messages={
            "invalid": _("Tahun anggaran harus berupa angka, misalnya 2026."),
            "min_value": _("Tahun anggaran paling awal 2000."),
            "max_value": _("Tahun anggaran paling akhir 2100."),
        },
    )
    opd = forms.ModelChoiceField(
        label=_("OPD"),
        queryset=opd_choices(),
        required=False,
        empty_label=_("Semua OPD"),
        error_messages={"invalid_choice": _("OPD tidak dikenal: pilih dari daftar.")},
    )
    category = forms.ChoiceField(
        label=_("Jenis pengadaan"),
        choices=[("", _("Semua jenis")), *Category.choices],
        required=False,
        error_messages={"invalid_choice": _("Jenis pengadaan tidak dikenal: pilih dari daftar.")},
    )
    method = forms.ChoiceField(
        label=_("Metode pemilihan"),
        choices=[("", _("Semua metode")), *Method.choices],
        required=False,
        error_messages={"invalid_choice": _("Metode pemilihan tidak dikenal: pilih dari daftar.")},
    )
    quarter = forms.TypedChoiceField(
        label=_("Triwulan (batas akhir penawaran)"),
        choices=QUARTERS,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Triwulan harus 1, 2, 3 atau 4.")},
    )

    def __init__(self, *args: object, opd_fixed: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if opd_fixed:
            del self.fields["opd"]

    def filters(self, *, opd_id: int | None = None) -> Filters:
        """The cleaned filters; `opd_id` (an officer's own OPD) overrides any OPD choice."""
        data = self.cleaned_data
        if opd_id is None and data.get("opd") is not None:
            opd_id = data["opd"].pk
        return Filters(
            year=data.get("year") or timezone.localdate().year,
            opd_id=opd_id,
            category=data.get("category") or "",
            method=data.get("method") or "",
            quarter=data.get("quarter"),
        )
