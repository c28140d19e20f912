"""The contract pages: the OPD's PPK records deliveries and signs the BAST with the rating;
the vendor confirms or disputes deliveries, acknowledges the BAST and answers its rating.
Another OPD's or another vendor's contract is a 404; the wrong role a 403."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import role_required
from accounts.models import Role
from contracts import forms, selectors, services
from contracts.models import Contract, Delivery
from contracts.payment_selectors import contract_payments
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.formatting import percent, rupiah
from p3dn_portal.lib.forms import error_text
from p3dn_portal.lib.paging import page_context
from procurement.models import Position

PAGE_SIZE = 25
DELIVERY_RECORDED = _("Pengiriman ke-{number} dicatat; penyedia diberi tahu.")
HANDOVER_SIGNED = _("BAST {number} ditandatangani; penyedia diberi tahu.")
RESPONSE_SAVED = _("Tanggapan Anda dikirim kepada PPK.")
ACKNOWLEDGED = _("BAST diakui.")
ANSWER_SAVED = _("Jawaban Anda disimpan.")
ASK_HANDOVER = _("Tandatangani BAST kontrak {number}?")
ASK_HANDOVER_CLOSES = _(
    "Pengiriman ditutup: sesudah BAST tidak ada pengiriman yang dapat dicatat lagi."
)
ASK_HANDOVER_FIXED = _(
    "BAST, TKDN tercapai dan penilaian penyedia tidak dapat diubah atau dibatalkan; penyedia "
    "diberi tahu."
)
ASK_HANDOVER_PENDING = _("{count} pengiriman belum ditanggapi penyedia.")
ASK_HANDOVER_DISPUTED = _("{count} pengiriman dibantah penyedia.")
ASK_HANDOVER_BUTTON = _("Ya, tandatangani BAST")


def _page_of(request: HttpRequest, contracts) -> dict:
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"contracts": page.object_list, **page_context(page)}


def _officer_contract(request: HttpRequest, contract_id: int) -> Contract:
    """404 for a contract of any other OPD."""
    officer = request.user.opd_officer
    return get_object_or_404(
        selectors.contract_with_details(Contract.objects.filter(opd_id=officer.opd_id)),
        pk=contract_id,
    )


def _vendor_contract(request: HttpRequest, contract_id: int) -> Contract:
    """404 for a contract of any other vendor."""
    vendor_id = request.user.vendor_member.vendor_id
    return get_object_or_404(
        selectors.contract_with_details(Contract.objects.filter(vendor_id=vendor_id)),
        pk=contract_id,
    )


def _is_ppk(request: HttpRequest) -> bool:
    return request.user.opd_officer.position == Position.PPK


def _contract_context(contract: Contract, **extra) -> dict:
    page = selectors.contract_page(contract)
    return {
        "contract": contract,
        "page": page,
        "handover": getattr(contract, "handover", None),
        "rating": getattr(contract, "rating", None),
        "flags": list(contract.flags.all()),
        **extra,
    }


# OPD officers ----------------------------------------------------------------------------


@role_required(Role.OFFICER)
@require_safe
def officer_contracts(request: HttpRequest) -> HttpResponse:
    officer = request.user.opd_officer
    return render(
        request,
        "contracts/officer/contracts.html",
        {"opd": officer.opd, **_page_of(request, selectors.opd_contracts(officer.opd_id))},
    )


@role_required(Role.OFFICER)
@require_safe
def officer_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _officer_contract(request, contract_id)
    open_for_delivery = contract.status in ("signed", "delivering")
    return render(
        request,
        "contracts/officer/contract.html",
        _contract_context(
            contract,
            is_ppk=_is_ppk(request),
            open_for_delivery=open_for_delivery,
            payments=contract_payments(contract),
            payments_link=True,
        ),
    )


@role_required(Role.OFFICER)
@require_http_methods(["GET", "HEAD", "POST"])
def officer_delivery_record(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _officer_contract(request, contract_id)
    if not _is_ppk(request):
        raise PermissionDenied(services.ONLY_PPK.format(action=services.ACTION_DELIVERY))
    page = selectors.contract_page(contract)
    form = forms.DeliveryForm(request.POST if request.method == "POST" else None, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = services.delivery_record(
                contract=contract,
                by=request.user,
                delivered_on=form.cleaned_data["delivered_on"],
                lines=form.line_inputs(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, DELIVERY_RECORDED.format(number=delivery.number))
            return redirect("contracts:officer-contract", contract.pk)
    return render(
        request,
        "contracts/officer/delivery_form.html",
        {"contract": contract, "page": page, "form": form},
    )


def _ask_handover(contract: Contract, page, form) -> Confirmation:
    data = form.cleaned_data
    consequences = [ASK_HANDOVER_CLOSES, ASK_HANDOVER_FIXED]
    if page.pending_deliveries:
        consequences.append(ASK_HANDOVER_PENDING.format(count=page.pending_deliveries))
    if page.disputed_deliveries:
        consequences.append(ASK_HANDOVER_DISPUTED.format(count=page.disputed_deliveries))
    marks = " · ".join(
        f"{form.fields[name].label} {data[name]}" for name in ("quality", "cost", "time", "service")
    )
    return Confirmation(
        title=str(ASK_HANDOVER.format(number=contract.number)),
        consequences=consequences,
        button=ASK_HANDOVER_BUTTON,
        back_url=reverse("contracts:officer-handover", args=[contract.pk]),
        subject=f"{contract.number} — {contract.vendor.name}",
        facts=[
            (str(_("Tanggal BAST")), date_format(data["signed_on"])),
            (str(_("Nilai yang diterima")), rupiah(page.accepted_value)),
            (
                str(_("TKDN tercapai / penawaran")),
                f"{percent(page.achieved.tkdn_pct)} / {percent(contract.offered_tkdn_pct)}",
            ),
            (str(_("Penilaian")), marks),
        ]
        + ([(str(_("Catatan penilaian")), data["rating_note"])] if data["rating_note"] else []),
    )


@role_required(Role.OFFICER)
@require_http_methods(["GET", "HEAD", "POST"])
def officer_handover_sign(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _officer_contract(request, contract_id)
    if not _is_ppk(request):
        raise PermissionDenied(services.ONLY_PPK.format(action=services.ACTION_HANDOVER))
    if hasattr(contract, "handover"):
        return redirect("contracts:officer-contract", contract.pk)
    page = selectors.contract_page(contract)
    form = forms.HandoverForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        problems = services.rating_problems(form.rating())
        if problems:
            form.add_service_error(ValidationError(problems))
        elif not confirmed(request):
            return confirmation_page(request, _ask_handover(contract, page, form))
        else:
            try:
                handover = services.handover_sign(
                    contract=contract,
                    by=request.user,
                    signed_on=form.cleaned_data["signed_on"],
                    rating=form.rating(),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, HANDOVER_SIGNED.format(number=handover.number))
                return redirect("contracts:officer-contract", contract.pk)
    return render(
        request,
        "contracts/officer/handover_form.html",
        {"contract": contract, "page": page, "form": form},
    )


@require_safe
def handover_document(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The printable BAST, for the contract's OPD officers and its vendor's users."""
    user = request.user
    officer, member = user.opd_officer, user.vendor_member
    if officer is not None:
        contract = _officer_contract(request, contract_id)
    elif member is not None:
        contract = _vendor_contract(request, contract_id)
    else:
        raise PermissionDenied
    if not hasattr(contract, "handover"):
        raise Http404
    return render(
        request,
        "contracts/handover_document.html",
        _contract_context(contract, back_url=_contract_url(request, contract)),
    )


def _contract_url(request: HttpRequest, contract: Contract) -> str:
    name = "officer-contract" if request.user.opd_officer else "vendor-contract"
    return reverse(f"contracts:{name}", args=[contract.pk])


# Vendors ---------------------------------------------------------------------------------


@role_required(Role.VENDOR)
@require_safe
def vendor_contracts(request: HttpRequest) -> HttpResponse:
    vendor_id = request.user.vendor_member.vendor_id
    return render(
        request,
        "contracts/vendor/contracts.html",
        _page_of(request, selectors.vendor_contracts(vendor_id)),
    )


@role_required(Role.VENDOR)
@require_safe
def vendor_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _vendor_contract(request, contract_id)
    return render(
        request,
        "contracts/vendor/contract.html",
        _contract_context(
            contract,
            response_form=forms.DeliveryResponseForm(),
            answer_form=forms.RatingAnswerForm(),
            payments=contract_payments(contract),
            payments_link=True,
        ),
    )


def _vendor_step(request: HttpRequest, contract: Contract, act) -> HttpResponse:
    try:
        message = act()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, message)
    return redirect("contracts:vendor-contract", contract.pk)


@role_required(Role.VENDOR)
@require_POST
def vendor_delivery_respond(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(
        Delivery.objects.select_related("contract__vendor", "contract__opd"),
        pk=delivery_id,
        contract__vendor_id=request.user.vendor_member.vendor_id,
    )
    form = forms.DeliveryResponseForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.delivery_respond(
            delivery=delivery,
            by=request.user,
            confirmed=form.cleaned_data["response"] == forms.DeliveryResponseForm.CONFIRM,
            note=form.cleaned_data["vendor_note"],
        )
        return str(RESPONSE_SAVED)

    return _vendor_step(request, delivery.contract, act)


@role_required(Role.VENDOR)
@require_POST
def vendor_handover_acknowledge(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _vendor_contract(request, contract_id)

    def act() -> str:
        services.handover_acknowledge(contract=contract, by=request.user)
        return str(ACKNOWLEDGED)

    return _vendor_step(request, contract, act)


@role_required(Role.VENDOR)
@require_POST
def vendor_rating_answer(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _vendor_contract(request, contract_id)
    form = forms.RatingAnswerForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.rating_answer(
            contract=contract, by=request.user, answer=form.cleaned_data["answer"]
        )
        return str(ANSWER_SAVED)

    return _vendor_step(request, contract, act)
