import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import role_required
from accounts.models import Role
from freshness import topics
from freshness.cache import cached
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.files import private_file_response
from p3dn_portal.lib.formatting import jakarta, percent, rupiah
from p3dn_portal.lib.forms import add_service_error, error_text
from p3dn_portal.lib.fragments import filter_form_html, render_to_keep
from p3dn_portal.lib.paging import page_context
from procurement import evaluation, exports, forms, rules, selectors, services
from procurement.models import (
    OPD,
    Bid,
    BidStatus,
    EvaluationResult,
    EvaluationRun,
    Objection,
    Package,
    RunStatus,
)
from procurement.reasons import decisive_reasons_display
from procurement.rules import Action, Status
from vendors.models import Vendor
from vendors.selectors import products_with_local_content


@role_required(Role.OFFICER)
def home(request: HttpRequest) -> HttpResponse:
    officer = request.user.opd_officer
    return render(
        request,
        "procurement/home.html",
        {
            "officer": officer,
            "opd": officer.opd,
            "colleagues": selectors.opd_officers(opd=officer.opd),
        },
    )


@role_required(Role.OFFICER)
@require_http_methods(["GET", "HEAD", "POST"])
def opd_payment_target(request: HttpRequest) -> HttpResponse:
    """The OPD's payment target: its PPK or KPA sets it; every officer of the OPD reads it."""
    from procurement.services import opd_settings

    opd = request.user.opd_officer.opd
    may_set = opd_settings.may_set_payment_target(user=request.user, opd=opd)
    form = forms.PaymentTargetForm(initial={"payment_target_days": opd.payment_target_days})
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(
                opd_settings.TARGET_POSITIONS_ONLY.format(
                    position=request.user.opd_officer.get_position_display()
                )
            )
        form = forms.PaymentTargetForm(request.POST)
        if form.is_valid():
            try:
                opd_settings.opd_payment_target_set(
                    opd=opd, days=form.cleaned_data["payment_target_days"], by=request.user
                )
            except ValidationError as e:
                add_service_error(form, e)
            else:
                messages.success(request, _("Target pembayaran OPD disimpan."))
                return redirect("procurement:home")
    return render(
        request,
        "procurement/officer/payment_target.html",
        {"opd": opd, "form": form, "may_set": may_set},
    )


@login_not_required
def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    """One page per package for everyone; what it shows depends on who asks: the public
    terms and status; the OPD's officers their actions; a vendor its own bid."""
    package = selectors.package_for_user(user=request.user, package_id=package_id)
    user = request.user
    officer = user.opd_officer if user.is_authenticated else None
    member = user.vendor_member if user.is_authenticated else None
    # The package's terms and items, as everyone sees them: once per state of the data.
    facts = cached(
        "package-facts",
        lambda: render_to_string(
            "procurement/package_facts.html",
            {
                "package": package,
                # In their order within the package (the models' own order joins the package
                # again to sort by it); the winner's name in one query.
                "items": package.items.order_by("position"),
                "requirements": package.requirements.order_by("position"),
                "winner_name": selectors.winner_name(package=package),
            },
        ),
        topics=(topics.PROCUREMENT, topics.CATALOGUE),
        parts=(package.pk,),
    )
    return render(
        request,
        "procurement/package_detail.html",
        {
            "package": package,
            "facts": facts,
            "is_package_officer": officer is not None and officer.opd_id == package.opd_id,
            "officer": officer,
            "vendor": member.vendor if member else None,
            "bid_count": cached(
                "bid-count",
                lambda: selectors.active_bid_count(package=package),
                topics=(topics.PROCUREMENT,),
                parts=(package.pk,),
            ),
        },
    )


# Vendors and the public -----------------------------------------------------------------------

BID_SUBMITTED = _(
    "Penawaran versi {version} tersegel dan tersimpan. Cetak atau simpan tanda terima ini: "
    "sidiknya membuktikan isi penawaran Anda saat dibuka."
)
BID_WITHDRAWN = _(
    "Penawaran ditarik. Anda masih dapat mengajukan penawaran baru sebelum batas akhir."
)
OBJECTION_FILED = _("Sanggah dikirim ke pejabat pengadaan. Jawabannya kami beritahukan ke Anda.")
MY_BIDS_PAGE_SIZE = 30


def _vendor_of(request: HttpRequest) -> Vendor:
    return request.user.vendor_member.vendor


def _get_own_bid(request: HttpRequest, bid_id: int) -> Bid:
    """A bid of the user's own company, any version; 404 for anyone else, officers included:
    before closing a bid's very existence is its bidder's alone."""
    member = request.user.vendor_member
    if member is None:
        raise Http404
    return get_object_or_404(
        Bid.objects.select_related("package__opd", "vendor"), pk=bid_id, vendor_id=member.vendor_id
    )


@login_not_required
@require_safe
def public_packages(request: HttpRequest) -> HttpResponse:
    """Packages open for bids, searched, filtered and paginated: what a vendor looks for."""
    form = forms.PackageFilterForm(request.GET, opds=OPD.objects.order_by("name"))
    filters = form.filters()
    for problem in form.problems():
        messages.warning(request, problem)
    closing = cached(
        "next-closing",
        selectors.next_closing,
        topics=(topics.PROCUREMENT,),
        until=lambda at: at,
    )

    def render_list() -> str:
        packages = forms.announced_packages(filters=filters, now=timezone.now())
        page = forms.packages_page(packages, request.GET.get("page"))
        context = {
            **page_context(page),
        }
        return render_to_string("procurement/public/packages_list.html", context, request)

    # The list stays right until its data changes or the next open package closes.
    package_list = cached(
        "open-packages",
        render_list,
        topics=(topics.PROCUREMENT,),
        parts=(filters, sorted(request.GET.lists())),
        until=lambda _: closing,
    )
    filter_form = filter_form_html(
        "procurement/public/packages_filter.html", form, topics=(topics.PROCUREMENT,)
    )
    return render(
        request,
        "procurement/public/packages.html",
        {"filters": filters, "filter_form": filter_form, "package_list": package_list},
    )


@role_required(Role.VENDOR)
def bid_edit(request: HttpRequest, package_id: int) -> HttpResponse:
    """The vendor's bid on a package: a new one, or a revision of its active bid."""
    package = selectors.package_for_user(user=request.user, package_id=package_id)
    vendor = _vendor_of(request)
    if request.method != "POST":
        problem = services.bidding_problem(package=package, vendor=vendor, now=timezone.now())
        if problem:
            messages.error(request, problem)
            return redirect("procurement:package-detail", package.pk)
    current = package.bids.filter(vendor=vendor, status=BidStatus.ACTIVE).first()
    products = products_with_local_content(on=timezone.localdate()).filter(
        vendor=vendor, is_active=True
    )
    # The form starts from the vendor's own active bid, read back only while it is sealed.
    prefill = current is not None and package.is_sealed and request.method != "POST"
    form = forms.BidForm(
        request.POST or None,
        items=package.items.all(),
        products=products,
        previous=services.bid_content(current) if prefill else None,
        items_optional=package.items_optional,
    )
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.bid_submit(
                package=package, vendor=vendor, by=request.user, lines=form.lines()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, BID_SUBMITTED.format(version=bid.version))
            return redirect("procurement:bid-receipt", bid.pk)
    return render(
        request,
        "procurement/vendor/bid_form.html",
        {"package": package, "vendor": vendor, "current": current, "form": form},
    )


def bid_receipt(request: HttpRequest, bid_id: int) -> HttpResponse:
    """The printable receipt of one version of the vendor's own bid, read from its sealed
    content, with the check that the content still hashes to the receipt."""
    bid = _get_own_bid(request, bid_id)
    content = services.bid_content(bid)
    items = {item.pk: item for item in bid.package.items.all()}
    return render(
        request,
        "procurement/vendor/receipt.html",
        {
            "bid": bid,
            "package": bid.package,
            "lines": [(items.get(line.item), line) for line in content.lines],
            "total": content.total,
            "tkdn_pct": content.tkdn_pct,
            "tkdn_bmp_pct": content.tkdn_bmp_pct,
            "receipt_matches": services.bid_receipt_matches(bid),
            "other_versions": bid.package.bids.filter(vendor_id=bid.vendor_id)
            .exclude(pk=bid.pk)
            .order_by("-version"),
        },
    )


@require_POST
def bid_withdraw(request: HttpRequest, bid_id: int) -> HttpResponse:
    bid = _get_own_bid(request, bid_id)
    try:
        services.bid_withdraw(bid=bid, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, BID_WITHDRAWN)
    return redirect("procurement:package-detail", bid.package_id)


@role_required(Role.VENDOR)
@require_safe
def my_bids(request: HttpRequest) -> HttpResponse:
    """Every version of every bid of the vendor, active ones first."""
    vendor = _vendor_of(request)

    def render_list() -> str:
        bids = selectors.vendor_bids(vendor=vendor).order_by(
            Case(When(status=BidStatus.ACTIVE, then=0), default=1), "-submitted_at", "-pk"
        )
        page = Paginator(bids, MY_BIDS_PAGE_SIZE).get_page(request.GET.get("page"))
        return render_to_string("procurement/vendor/my_bids_list.html", {"page_obj": page}, request)

    bid_list = cached(
        "my-bids",
        render_list,
        topics=(topics.PROCUREMENT,),
        parts=(vendor.pk, sorted(request.GET.lists())),
    )
    return render(request, "procurement/vendor/my_bids.html", {"bid_list": bid_list})


@role_required(Role.VENDOR)
def objection_file(request: HttpRequest, package_id: int) -> HttpResponse:
    """A sanggah against the winner announcement, by a bidder that did not win."""
    package = selectors.package_for_user(user=request.user, package_id=package_id)
    form = forms.ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_file(
                package=package,
                by=request.user,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, OBJECTION_FILED)
            return redirect("procurement:package-detail", package.pk)
    return render(
        request, "procurement/vendor/objection_form.html", {"package": package, "form": form}
    )


# Officers: the OPD's packages, their terms and lifecycle, and the opened bids ----------------

PACKAGE_SAVED = _("Draf paket “{title}” disimpan.")
PACKAGE_ANNOUNCED = _("Paket diumumkan: penyedia dapat menawar sampai {closes}.")
PACKAGE_CLOSED = _("Penawaran ditutup dan dibuka.")
EVALUATION_STARTED = _("Evaluasi penawaran dimulai.")
OBJECTION_ANSWER_SENT = _("Sanggah ditolak; jawaban dikirim ke {vendor}.")
OBJECTION_UPHELD = _(
    "Sanggah {vendor} diterima: pengumuman pemenang dibatalkan dan evaluasi dibuka kembali. "
    "Perbaiki keputusan evaluasi; peserta diberi tahu."
)
PACKAGE_AWARDED = _("Pemenang ditetapkan. Nilai kontrak {value} (harga penawaran).")
CONTRACT_RECORDED = _("Kontrak {number} dicatat.")
PACKAGE_CANCELLED = _("Paket dibatalkan. Peserta diberi tahu alasannya.")
PACKAGE_FAILED = _("Paket dinyatakan gagal. Peserta diberi tahu alasannya.")
BIDS_SEALED = _(
    "Penawaran masih tersegel sampai batas akhir penawaran ({closes}): sebelum itu hanya "
    "jumlahnya yang dapat diketahui."
)

PACKAGES_PER_PAGE = 50
# ?urut= values of the package list: closing date, HPS or title, either way.
PACKAGE_SORTS = {
    "batas": ("closes_at", "title"),
    "-batas": ("-closes_at", "title"),
    "hps": ("hps", "title"),
    "-hps": ("-hps", "title"),
    "judul": ("title",),
    "-judul": ("-title",),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get_opd_package(request: HttpRequest, package_id: int) -> Package:
    """404 for a package of any other OPD."""
    return get_object_or_404(Package, pk=package_id, opd_id=request.user.opd_officer.opd_id)


@role_required(Role.OFFICER)
@require_safe
def officer_packages(request: HttpRequest) -> HttpResponse:
    officer = request.user.opd_officer
    opd = officer.opd
    counts = Package.objects.filter(opd=opd).aggregate(
        all=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
    )
    status = request.GET.get("status", "")
    sort = request.GET.get("urut", "")
    packages = selectors.opd_packages(opd=opd)
    if status in Status.values:
        packages = packages.filter(status=status)
    else:
        status = ""
    if sort in PACKAGE_SORTS:
        packages = packages.order_by(*PACKAGE_SORTS[sort], "pk")
    else:
        sort = ""
    paginator = Paginator(packages, PACKAGES_PER_PAGE)
    paginator.count = counts[status or "all"]  # known already: spare the COUNT query
    return render(
        request,
        "procurement/officer/packages.html",
        {
            "opd": opd,
            "page_obj": paginator.get_page(request.GET.get("page")),
            "tabs": [("", _("Semua"), counts["all"])]
            + [(s.value, s.label, counts[s.value]) for s in Status],
            "status": status,
            "sort": sort,
            "may_create": rules.may(officer.position, Action.EDIT),
        },
    )


@role_required(Role.OFFICER)
def officer_package_edit(request: HttpRequest, package_id: int | None = None) -> HttpResponse:
    """Create a draft package or edit one, with its line items."""
    package = _get_opd_package(request, package_id) if package_id else None
    services.authorize_position(officer=request.user.opd_officer, action=Action.EDIT)
    problem = services.state_problem(package, Action.EDIT) if package else None
    if problem:
        messages.error(request, problem)
        return redirect("procurement:package-detail", package.pk)
    return package_form_page(request, package=package)


def package_form_page(
    request: HttpRequest,
    *,
    package: Package | None = None,
    prefill: dict | None = None,
    saved: Callable[[Package], object] | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """The package form with its line items, shown and saved as a draft: the page of
    `officer_package_edit`, and the one other apps open to start a package from their own
    data (business matching, from a held meeting): `prefill` starts the form, `saved` is
    handed the new package before the officer is sent to it, `context` goes to the
    template. Whoever calls it has checked that the officer's position may edit."""
    officer = request.user.opd_officer
    data = request.POST if request.method == "POST" else None
    add_row = data is not None and "tambah_baris" in data
    form = forms.PackageForm(data, opd=officer.opd, package=package, prefill=prefill)
    items = forms.item_formset(
        data, items=list(package.items.all()) if package else None, add_row=add_row
    )
    if add_row:
        forms.quiet(form)
    elif data is not None and all([form.is_valid(), items.is_valid()]):
        try:
            package = services.package_save(
                opd=officer.opd,
                by=request.user,
                package=package,
                items=[
                    services.ItemInput(**{f: row.cleaned_data[f] for f in forms.ITEM_FIELDS})
                    for row in items.forms
                    if row.cleaned_data and not row.cleaned_data.get("DELETE")
                ],
                requirements=form.requirements(),
                **form.package_fields(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if saved is not None:
                saved(package)
            messages.success(request, PACKAGE_SAVED.format(title=package.title))
            return redirect("procurement:package-detail", package.pk)
    return render(
        request,
        "procurement/officer/package_form.html",
        {"package": package, "form": form, "items": items, **(context or {})},
    )


OFFICER_DRAFT_KEY = "procurement.officer-draft"

# The steps that cannot be undone, asked first: what will happen.
ASK_FROZEN = _("Sesudah diumumkan, paket tidak dapat diubah lagi.")
ASK_ANNOUNCE = _("Umumkan paket ini?")
ASK_ANNOUNCE_OPEN = _(
    "Paket tampil di daftar paket yang diumumkan dan penyedia dapat menawar sampai {closes}."
)
ASK_ANNOUNCE_BUTTON = _("Ya, umumkan paket")
ASK_CLOSE = _("Tutup dan buka penawaran?")
ASK_CLOSE_NO_MORE = _("Tidak ada lagi penawaran yang diterima.")
ASK_CLOSE_OPENED = _(
    "Setiap penawaran dibuka: isi dan nama penawarnya terlihat oleh pejabat paket, dan "
    "evaluasi dimulai."
)
ASK_CLOSE_BUTTON = _("Ya, tutup dan buka penawaran")
ASK_AWARD = _("Tetapkan pemenang secara final?")
ASK_AWARD_WINNER = _(
    "{vendor} ditetapkan sebagai pemenang dengan nilai kontrak {value} (harga penawaran)."
)
ASK_AWARD_TOLD = _("Setiap penawar diberi tahu; penetapan ini tidak dapat ditarik kembali.")
ASK_AWARD_NEXT = _("Langkah berikutnya adalah mencatat kontrak.")
ASK_AWARD_BUTTON = _("Ya, tetapkan pemenang")
ASK_CONTRACT = _("Catat kontrak?")
ASK_CONTRACT_DONE = _("Paket berstatus berkontrak: tahap pengadaannya selesai.")
ASK_CONTRACT_FIXED = _("Nomor dan tanggal kontrak tidak dapat diubah sesudah dicatat.")
ASK_CONTRACT_BUTTON = _("Ya, catat kontrak")
ASK_CANCEL = _("Batalkan paket ini?")
ASK_CANCEL_BUTTON = _("Ya, batalkan paket")
ASK_FAIL = _("Nyatakan paket ini gagal?")
ASK_FAIL_BUTTON = _("Ya, nyatakan gagal")
ASK_ENDED = _("Paket berakhir tanpa pemenang dan tidak dapat dilanjutkan.")
ASK_ENDED_TOLD = _("Setiap penawar diberi tahu alasannya.")
ASK_REASON = _("Alasan")
ASK_OBJECTION = _("Putuskan sanggah {vendor}?")
ASK_OBJECTION_TOLD = _("Keputusan dan jawabannya dikirim kepada {vendor} dan tidak dapat diubah.")
ASK_OBJECTION_UPHELD = _(
    "Sanggah diterima: pemenang ditarik dan paket kembali ke evaluasi; Pokja memperbaiki "
    "keputusannya dan evaluasi baru menyusun peringkat lagi. Setiap penawar diberi tahu."
)
ASK_OBJECTION_BUTTON = _("Ya, kirim keputusan")


def _confirmation(package: Package, **fields) -> Confirmation:
    return Confirmation(
        subject=f"{package.rup_code} — {package.title}",
        back_url=reverse("procurement:package-detail", args=[package.pk]),
        **fields,
    )


def _ask_ending(package: Package, data, *, title, button) -> Confirmation | None:
    """Cancelling or failing a package: what happens, with the reason given (None when
    there is none: the service asks for it)."""
    reason = forms.ReasonForm(data)
    reason.is_valid()
    text = (reason.cleaned_data.get("reason") or "").strip()
    if not text:
        return None
    return _confirmation(
        package,
        title=title,
        consequences=[ASK_ENDED, ASK_ENDED_TOLD],
        button=button,
        facts=[(str(ASK_REASON), text)],
    )


def _package_action(
    request: HttpRequest,
    package_id: int,
    act: Callable[[Package], str],
    *,
    ask: Callable[[Package], Confirmation | None] | None = None,
    action: str = "",
) -> HttpResponse:
    """One lifecycle action: the service's refusal as an error message, else `act`'s
    success message; back to the package either way. A step that cannot be undone (`ask`)
    first answers with a page saying what will happen, when the officer's position and the
    package's state allow it (otherwise the step runs and says why it cannot) and `ask`
    has something to ask (None: the input is incomplete, the service will say so)."""
    package = _get_opd_package(request, package_id)
    if ask is not None and not confirmed(request):
        officer = request.user.opd_officer
        if rules.may(officer.position, action) and not services.state_problem(package, action):
            confirmation = ask(package)
            if confirmation is not None:
                return confirmation_page(request, confirmation)
    try:
        message = act(package)
    except ValidationError as error:
        messages.error(request, error_text(error))
        # Keep what the officer wrote (a reason, a note) for the form it came from.
        request.session[OFFICER_DRAFT_KEY] = {
            "package": package.pk,
            "fields": {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
        }
    else:
        messages.success(request, message)
    return redirect("procurement:package-detail", package.pk)


@role_required(Role.OFFICER)
@require_POST
def officer_package_announce(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        package = services.package_announce(package=package, by=request.user)
        return PACKAGE_ANNOUNCED.format(closes=jakarta(package.closes_at))

    def ask(package: Package) -> Confirmation:
        return _confirmation(
            package,
            title=ASK_ANNOUNCE,
            consequences=[ASK_ANNOUNCE_OPEN.format(closes=jakarta(package.closes_at)), ASK_FROZEN],
            button=ASK_ANNOUNCE_BUTTON,
            danger=False,
        )

    return _package_action(request, package_id, act, ask=ask, action=Action.ANNOUNCE)


@role_required(Role.OFFICER)
@require_POST
def officer_package_close(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        services.package_close(package=package, by=request.user)
        return PACKAGE_CLOSED

    def ask(package: Package) -> Confirmation:
        return _confirmation(
            package,
            title=ASK_CLOSE,
            consequences=[ASK_CLOSE_NO_MORE, ASK_CLOSE_OPENED],
            button=ASK_CLOSE_BUTTON,
            danger=False,
        )

    return _package_action(request, package_id, act, ask=ask, action=Action.CLOSE)


@role_required(Role.OFFICER)
@require_POST
def officer_package_evaluate(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        services.package_evaluation_start(package=package, by=request.user)
        return EVALUATION_STARTED

    response = _package_action(request, package_id, act)
    if request.POST.get("kembali") == "hasil":  # started from the ranking page: back there
        return redirect("procurement:officer-evaluation", package_id)
    return response


@role_required(Role.OFFICER)
@require_POST
def officer_package_answer_objection(
    request: HttpRequest, package_id: int, objection_id: int
) -> HttpResponse:
    def act(package: Package) -> str:
        objection = get_object_or_404(
            Objection.objects.select_related("package", "bid__vendor"),
            pk=objection_id,
            package=package,
        )
        form = forms.AnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.objection_answer(
            objection=objection,
            by=request.user,
            answer=form.cleaned_data.get("answer", ""),
            upheld=form.upheld,
        )
        if form.upheld:
            return OBJECTION_UPHELD.format(vendor=objection.bid.vendor.name)
        return OBJECTION_ANSWER_SENT.format(vendor=objection.bid.vendor.name)

    def ask(package: Package) -> Confirmation | None:
        objection = get_object_or_404(
            Objection.objects.select_related("bid__vendor"), pk=objection_id, package=package
        )
        form = forms.AnswerForm(request.POST)
        if objection.answered_at or not form.is_valid() or not form.cleaned_data["answer"].strip():
            return None  # the service says why
        vendor = objection.bid.vendor.name
        consequences = [ASK_OBJECTION_TOLD.format(vendor=vendor)]
        if form.upheld:
            consequences += [ASK_OBJECTION_UPHELD]
        decision = dict(form.fields["decision"].choices)[form.cleaned_data["decision"]]
        return _confirmation(
            package,
            title=ASK_OBJECTION.format(vendor=vendor),
            consequences=consequences,
            button=ASK_OBJECTION_BUTTON,
            facts=[
                (str(_("Keputusan")), str(decision)),
                (str(_("Jawaban sanggah")), form.cleaned_data["answer"].strip()),
            ],
            danger=form.upheld,
        )

    return _package_action(request, package_id, act, ask=ask, action=Action.ANSWER_OBJECTION)


@role_required(Role.OFFICER)
@require_POST
def officer_package_award(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        package = services.package_award(package=package, by=request.user)
        return PACKAGE_AWARDED.format(value=rupiah(package.contract_value))

    def ask(package: Package) -> Confirmation | None:
        if package.winner is None or (
            package.objection_ends_at and timezone.now() <= package.objection_ends_at
        ):
            return None  # the service says why not yet
        return _confirmation(
            package,
            title=ASK_AWARD,
            consequences=[
                ASK_AWARD_WINNER.format(
                    vendor=package.winner.vendor.name, value=rupiah(package.winner.price)
                ),
                ASK_AWARD_TOLD,
                ASK_AWARD_NEXT,
            ],
            button=ASK_AWARD_BUTTON,
        )

    return _package_action(request, package_id, act, ask=ask, action=Action.AWARD)


@role_required(Role.OFFICER)
@require_POST
def officer_package_contract(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        form = forms.ContractForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        number = form.cleaned_data["number"]
        services.package_contract(
            package=package,
            by=request.user,
            number=number,
            signed_on=form.cleaned_data["signed_on"],
        )
        return CONTRACT_RECORDED.format(number=number.strip())

    def ask(package: Package) -> Confirmation | None:
        form = forms.ContractForm(request.POST)
        if not form.is_valid():
            return None
        number, signed_on = form.cleaned_data["number"].strip(), form.cleaned_data["signed_on"]
        if not number or signed_on is None:
            return None
        facts = [
            (str(_("Nomor kontrak")), number),
            (str(_("Tanggal kontrak")), formats.date_format(signed_on)),
        ]
        if package.contract_value is not None:
            facts.append((str(_("Nilai kontrak")), rupiah(package.contract_value)))
        return _confirmation(
            package,
            title=ASK_CONTRACT,
            consequences=[ASK_CONTRACT_DONE, ASK_CONTRACT_FIXED],
            button=ASK_CONTRACT_BUTTON,
            facts=facts,
            danger=False,
        )

    return _package_action(request, package_id, act, ask=ask, action=Action.CONTRACT)


@role_required(Role.OFFICER)
@require_POST
def officer_package_cancel(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        reason = forms.ReasonForm(request.POST)
        reason.is_valid()
        services.package_cancel(
            package=package, by=request.user, reason=reason.cleaned_data.get("reason", "")
        )
        return PACKAGE_CANCELLED

    def ask(package: Package) -> Confirmation | None:
        return _ask_ending(package, request.POST, title=ASK_CANCEL, button=ASK_CANCEL_BUTTON)

    return _package_action(request, package_id, act, ask=ask, action=Action.CANCEL)


@role_required(Role.OFFICER)
@require_POST
def officer_package_fail(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        reason = forms.ReasonForm(request.POST)
        reason.is_valid()
        services.package_fail(
            package=package, by=request.user, reason=reason.cleaned_data.get("reason", "")
        )
        return PACKAGE_FAILED

    def ask(package: Package) -> Confirmation | None:
        return _ask_ending(package, request.POST, title=ASK_FAIL, button=ASK_FAIL_BUTTON)

    return _package_action(request, package_id, act, ask=ask, action=Action.FAIL)


def _get_unsealed_package(request: HttpRequest, package_id: int) -> Package | None:
    package = _get_opd_package(request, package_id)
    if package.is_sealed:
        messages.error(request, BIDS_SEALED.format(closes=jakarta(package.closes_at)))
        return None
    return package


@role_required(Role.OFFICER)
@require_safe
def officer_package_bids(request: HttpRequest, package_id: int) -> HttpResponse:
    """The opened bids side by side; never while they are sealed."""
    package = _get_unsealed_package(request, package_id)
    if package is None:
        return redirect("procurement:package-detail", package_id)
    bids, rows = selectors.opened_bids_comparison(package=package)
    return render(
        request,
        "procurement/officer/bids.html",
        {"package": package, "bids": bids, "rows": rows},
    )


@role_required(Role.OFFICER)
@require_safe
def officer_package_bids_xlsx(request: HttpRequest, package_id: int) -> HttpResponse:
    package = _get_unsealed_package(request, package_id)
    if package is None:
        return redirect("procurement:package-detail", package_id)
    bids, rows = selectors.opened_bids_comparison(package=package)
    response = HttpResponse(exports.bids_workbook(package, bids, rows), content_type=XLSX)
    filename = f"penawaran-{slugify(package.rup_code) or package.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def objection_attachment(request: HttpRequest, objection_id: int) -> FileResponse:
    """An objection's attachment: for the officers of the package's OPD and the users of the
    vendor who filed it; 404 for anyone else."""
    objection = get_object_or_404(
        Objection.objects.select_related("package", "bid"), pk=objection_id
    )
    user = request.user
    officer, member = user.opd_officer, user.vendor_member
    allowed = (
        (officer is not None and officer.opd_id == objection.package.opd_id)
        or (member is not None and member.vendor_id == objection.bid.vendor_id)
        or (user.is_staff and user.has_perm("procurement.view_objection"))
    )
    if not allowed or not objection.attachment:
        raise Http404
    return private_file_response(objection.attachment, name=f"lampiran-sanggah-{objection.pk}")


# Evaluation results: the ranking, why one bid ranks above another, and each bidder's own --------

RUN_PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)
ANNOUNCED_STATES = (Status.OBJECTION, Status.AWARDED, Status.CONTRACTED)
WHY_LOWER_HEA = _(
    "{upper} berada di atas {lower} karena harga evaluasi akhirnya (HEA) lebih rendah: "
    "{upper_hea} dibanding {lower_hea}."
)
WHY_HIGHER_TKDN = _(
    "HEA keduanya sama ({hea}); {upper} berada di atas {lower} karena TKDN-nya lebih tinggi: "
    "{upper_tkdn} dibanding {lower_tkdn}."
)
WHY_EARLIER = _(
    "HEA dan TKDN keduanya sama; {upper} berada di atas {lower} karena penawarannya diajukan "
    "lebih awal: {upper_at} dibanding {lower_at}."
)
WHY_INELIGIBLE = _(
    "{upper} berada di atas {lower} karena penawaran {lower} tidak memenuhi syarat: {reasons}"
)
WHY_BOTH_INELIGIBLE = _(
    "Keduanya tidak memenuhi syarat sehingga tidak diperingkat. {a}: {a_reasons} {b}: {b_reasons}"
)


NO_TKDN_WINS = {
    evaluation.NO_PREFERENCE_NOT_GOODS: _(
        "Tidak ada: preferensi harga hanya berlaku untuk pengadaan barang, jadi TKDN tidak "
        "mengubah peringkat."
    ),
    evaluation.NO_PREFERENCE_HPS: _(
        "Tidak ada: preferensi harga berlaku bila HPS di atas Rp1 miliar, jadi TKDN tidak "
        "mengubah peringkat paket ini."
    ),
    evaluation.NO_PREFERENCE_PCT: _(
        "Tidak ada: paket ini menetapkan preferensi harga 0%, jadi TKDN tidak mengubah peringkat."
    ),
    evaluation.OUT_OF_REACH: _(
        "Tidak ada: dengan TKDN 100% pun HEA penawaran ini tidak di bawah HEA pemenang."
    ),
}


@dataclass(frozen=True)
class RankingRow:
    result: EvaluationResult
    kp_pct: str  # KP as a percentage, two to four places
    tkdn_needed: Decimal | None  # for losing eligible bids: the TKDN that would have won
    is_loser: bool
    no_tkdn_wins: str = ""  # when tkdn_needed is None for a loser: why no TKDN would do

    @property
    def no_tkdn_wins_text(self) -> str:
        return str(NO_TKDN_WINS.get(self.no_tkdn_wins, ""))

    @property
    def bid(self) -> Bid:
        return self.result.bid


def _kp_pct(kp: Decimal) -> str:
    """KP (a fraction) as a percentage with two to four decimal places: `16,4825%`."""
    value = (kp * 100).quantize(Decimal("0.0001")).normalize()
    places = min(4, max(2, -value.as_tuple().exponent))
    return f"{formats.number_format(value, places, use_l10n=True)}%"


def _ranking_rows(
    run: EvaluationRun, results: list, winner: EvaluationResult | None
) -> list[RankingRow]:
    """The run's results with, for each eligible bid that lost to `winner` (the stored
    result ranked first), the TKDN at which its price would have beaten the winner's HEA
    (None when no TKDN would)."""
    terms = run.terms()
    rows = []
    for result in results:
        is_loser = result.eligible and result.rank is not None and result.rank > 1
        needed, why = None, ""
        if is_loser and winner is not None:
            needed = evaluation.tkdn_needed_to_win(result.bid.figures(), winner.hea, terms)
            if needed is None:
                why = evaluation.why_no_tkdn_wins(terms)
        rows.append(RankingRow(result, _kp_pct(result.kp), needed, is_loser, why))
    return rows


RANKING_PAGE_SIZE = 50
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")


def _ranking_section(request: HttpRequest, package: Package, run: EvaluationRun) -> str:
    """One page of a finished run's ranking, as HTML: the same for as long as the run's
    results (never changed), the bids and their vendors stay as they are."""
    page = Paginator(selectors.run_results(run), RANKING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    winner = next((r for r in page if r.rank == 1), None)
    if winner is None:
        winner = selectors.run_results(run).filter(rank=1).first()
    return render_to_string(
        "procurement/evaluation/ranking_rows.html",
        {
            "package": package,
            "run": run,
            "rows": _ranking_rows(run, list(page), winner),
            "winner": winner,
            **page_context(page),
        },
        request=request,
    )


def _officer_run(package: Package, run_id: str | None) -> tuple[EvaluationRun | None, list]:
    """The run to show (`?run=`, any run of this package, else the current one, else the
    latest of any status) and every run of the package, newest first: one query, kept per
    state of the runs (a run's progress or end moves the version on)."""
    runs = cached(
        "package-runs",
        lambda: list(
            package.evaluation_runs.select_related("requested_by").order_by("-created_at", "-pk")
        ),
        topics=(topics.PROCUREMENT, topics.PEOPLE),
        parts=(package.pk,),
    )
    for each in runs:
        each.package = package  # the page's own: a run's terms and labels read it, no query
    for number, each in enumerate(sorted(runs, key=lambda r: r.pk), start=1):
        each.number = number  # the run's number in the package, no query
    if run_id:
        run = next((r for r in runs if str(r.pk) == run_id), None)
        if run is None:
            raise Http404
        return run, runs
    current = next((r for r in runs if r.status == RunStatus.SUCCEEDED), None)
    return current or (runs[0] if runs else None), runs


@role_required(Role.OFFICER)
@require_safe
def officer_evaluation(request: HttpRequest, package_id: int) -> HttpResponse:
    """The ranking of a run of the package, with the earlier runs and a re-evaluation.

    While no run is under way, the page is rendered once per state of what it shows (the
    package, its runs and results, the bids, vendors and users in them) and per position;
    a run under way shows its live progress instead."""
    package = _get_opd_package(request, package_id)
    run, runs = _officer_run(package, request.GET.get("run"))
    pending = next((r for r in runs if r.status in RUN_PENDING), None)
    officer = request.user.opd_officer
    may_evaluate = (
        rules.may(officer.position, Action.EVALUATE)
        and services.state_problem(package, Action.EVALUATE) is None
    )
    page = request.GET.get("page", "")

    def render_body() -> str:
        ranking = ""
        if run is not None and run.status == RunStatus.SUCCEEDED:
            ranking = _ranking_section(request, package, run)
        context = {
            "package": package,
            "run": run,
            "runs": runs,
            "ranking": ranking,
            "pending": pending,
            "may_evaluate": may_evaluate,
        }
        return render_to_keep("procurement/evaluation/ranking_body.html", context, request)

    if pending is not None:
        body = render_body()
    else:
        body = cached(
            "ranking-page",
            render_body,
            topics=(topics.PROCUREMENT, topics.CATALOGUE, topics.PEOPLE),
            # The links of the page keep ?run= when it was asked for.
            parts=(
                package.pk,
                run.pk if run else None,
                page if PAGE_NUMBER.fullmatch(page) else "",
                "run" in request.GET,
                may_evaluate,
            ),
        )
    return render(
        request, "procurement/evaluation/ranking.html", {"package": package, "body": body}
    )


@role_required(Role.OFFICER)
@require_safe
def evaluation_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress of a run, polled by htmx; once finished, the page reloads."""
    run = get_object_or_404(
        EvaluationRun.objects.select_related("package"),
        pk=run_id,
        package__opd_id=request.user.opd_officer.opd_id,
    )
    response = render(request, "procurement/evaluation/status.html", {"run": run})
    if run.status not in RUN_PENDING:
        response["HX-Refresh"] = "true"
    return response


def _why(upper: EvaluationResult, lower: EvaluationResult) -> str:
    """One sentence: the rule that put `upper` above `lower` (evaluation.deciding_rule)."""
    rule = evaluation.deciding_rule(upper.contender(), lower.contender())
    names = {"upper": upper.bid.vendor.name, "lower": lower.bid.vendor.name}
    if rule == evaluation.RULE_NOT_RANKED:
        return WHY_BOTH_INELIGIBLE.format(
            a=upper.bid.vendor.name,
            a_reasons=" ".join(decisive_reasons_display(upper.reasons)),
            b=lower.bid.vendor.name,
            b_reasons=" ".join(decisive_reasons_display(lower.reasons)),
        )
    if rule == evaluation.RULE_ELIGIBILITY:
        return WHY_INELIGIBLE.format(
            **names, reasons=" ".join(decisive_reasons_display(lower.reasons))
        )
    if rule == evaluation.RULE_LOWER_HEA:
        return WHY_LOWER_HEA.format(
            **names, upper_hea=rupiah(upper.hea), lower_hea=rupiah(lower.hea)
        )
    if rule == evaluation.RULE_HIGHER_TKDN:
        return WHY_HIGHER_TKDN.format(
            **names,
            hea=rupiah(upper.hea),
            upper_tkdn=percent(upper.bid.tkdn_pct),
            lower_tkdn=percent(lower.bid.tkdn_pct),
        )
    return WHY_EARLIER.format(
        **names, upper_at=jakarta(upper.bid.submitted_at), lower_at=jakarta(lower.bid.submitted_at)
    )


def _order(result: EvaluationResult) -> tuple:
    return (result.rank is None, result.rank or 0, result.hea, result.pk)


@role_required(Role.OFFICER)
@require_safe
def officer_evaluation_compare(request: HttpRequest, package_id: int) -> HttpResponse:
    """Why bid A ranks above bid B (or below): both side by side and the deciding rule."""
    package = _get_opd_package(request, package_id)
    run, _runs = _officer_run(package, request.GET.get("run"))
    ids = [request.GET.get("a", ""), request.GET.get("b", "")]
    if run is None or not all(i.isdigit() for i in ids) or ids[0] == ids[1]:
        raise Http404
    found = {str(r.bid_id): r for r in selectors.run_results(run).filter(bid_id__in=ids)}
    if len(found) != 2:
        raise Http404
    a, b = found[ids[0]], found[ids[1]]
    upper, lower = sorted([a, b], key=_order)
    winner = next((r for r in (a, b) if r.rank == 1), None)
    rows = {row.result.pk: row for row in _ranking_rows(run, [a, b], winner)}
    return render(
        request,
        "procurement/evaluation/compare.html",
        {
            "package": package,
            "run": run,
            "pair": [rows[a.pk], rows[b.pk]],
            "explanation": _why(upper, lower),
        },
    )


@role_required(Role.OFFICER)
@require_safe
def officer_evaluation_xlsx(request: HttpRequest, package_id: int) -> HttpResponse:
    package = _get_opd_package(request, package_id)
    run, _runs = _officer_run(package, request.GET.get("run"))
    if run is None:
        raise Http404
    results = list(selectors.run_results(run))
    response = HttpResponse(exports.evaluation_workbook(run, results), content_type=XLSX)
    filename = f"evaluasi-{slugify(package.rup_code) or package.pk}-{run.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.VENDOR)
@require_safe
def vendor_evaluation(request: HttpRequest, package_id: int) -> HttpResponse:
    """A bidder's own result with its reasons once the winner is announced; of the other
    bidders only their names, HEA and rank."""
    package = selectors.package_for_user(user=request.user, package_id=package_id)
    vendor = _vendor_of(request)
    if package.status not in ANNOUNCED_STATES:
        raise Http404
    run = selectors.current_run(package)
    results = list(selectors.run_results(run)) if run else []
    own = next((r for r in results if r.bid.vendor_id == vendor.pk), None)
    if own is None:
        raise Http404
    return render(
        request,
        "procurement/evaluation/vendor.html",
        {
            "package": package,
            "run": run,
            "own": own,
            "own_kp": _kp_pct(own.kp),
            "others": [r for r in results if r.pk != own.pk],
            "guarantee": services.guarantee_for(package, own.bid) if own.rank == 1 else None,
        },
    )
