from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from formtools.wizard.views import SessionWizardView

from accounts import services as account_services
from accounts.backends import EMAIL_BACKEND
from accounts.decorators import role_required
from accounts.forms import SignupForm
from accounts.models import Role
from freshness import topics
from freshness.cache import cached
from p3dn_portal.lib.files import private_file_response
from p3dn_portal.lib.forms import add_service_error
from p3dn_portal.lib.fragments import filter_form_html
from p3dn_portal.lib.paging import page_context
from vendors import directory, forms, rules, selectors, services
from vendors.models import (
    CertificateStatus,
    HalalCertificate,
    Invitation,
    Product,
    ProductPhoto,
    TKDNCertificate,
    VendorMember,
)

REGISTERED = _(
    "Data usaha dikirim. Dinas PPKUKM akan memverifikasinya; kami kirim email begitu selesai. "
    "Sambil menunggu, daftarkan produk dan unggah sertifikatnya."
)
COMPANY_SAVED = _("Data usaha disimpan.")
COMPANY_RESUBMITTED = _("Data usaha disimpan dan diajukan lagi untuk verifikasi.")
INVITATION_SENT = _("Undangan dikirim ke {email}.")
INVITATION_CANCELLED = _("Undangan dibatalkan.")
INVITATION_ACCEPTED = _("Anda sekarang pengguna {vendor}.")
MEMBER_REMOVED = _("{name} tidak lagi menjadi pengguna usaha ini.")
PRODUCT_SAVED = _("Produk {name} disimpan.")
PHOTO_DELETED = _("Foto dihapus.")
CERTIFICATE_SUBMITTED = _(
    "Sertifikat {number} dikirim untuk diverifikasi Dinas PPKUKM. Kami kirim email begitu selesai."
)
WIZARD_STEP_UNKNOWN = "Registration wizard: unknown step posted."
COMPANY_INACTIVE = _(
    "Usaha Anda dinonaktifkan oleh Dinas PPKUKM, sehingga akun ini tidak dapat bertindak atas "
    "namanya. Hubungi Dinas PPKUKM bila ini keliru."
)
NO_PRODUCTS_YET = _("Daftarkan produk dulu: setiap sertifikat harus mencakup produk Anda.")


def _vendor_of(request: HttpRequest):
    return request.user.vendor_member.vendor


def _get_own_product(request: HttpRequest, product_id: int) -> Product:
    """404 for any product that is not the user's company's."""
    return get_object_or_404(Product, pk=product_id, vendor=_vendor_of(request))


def _get_own_certificate(request: HttpRequest, model, certificate_id: int):
    return get_object_or_404(model, pk=certificate_id, vendor=_vendor_of(request))


def _certificate_model(kind: str):
    models = {"tkdn": TKDNCertificate, "halal": HalalCertificate}
    if kind not in models:
        raise Http404
    return models[kind]


# Home and registration ----------------------------------------------------------------------


@role_required(Role.VENDOR)
def home(request: HttpRequest) -> HttpResponse:
    membership = request.user.vendor_member
    vendor = membership.vendor
    today = timezone.localdate()
    blacklistings = list(selectors.blacklistings_in_force(vendor=vendor, today=today))
    return render(
        request,
        "vendors/home.html",
        {
            "vendor": vendor,
            "membership": membership,
            "members": selectors.vendor_members(vendor=vendor),
            "product_counts": selectors.product_counts(vendor=vendor),
            "certificates": selectors.certificates_needing_attention(vendor=vendor, today=today),
            "certificate_counts": selectors.certificate_counts(vendor=vendor),
            "blacklistings": blacklistings,
            "listed_now": any(b.is_listed_on(today) for b in blacklistings),
            "today": today,
        },
    )


REGISTRATION_STEPS = [
    ("identitas", forms.VendorIdentityForm),
    ("alamat", forms.VendorAddressForm),
    ("skala", forms.VendorSizeForm),
]


class RegistrationWizard(SessionWizardView):
    """Company registration in three steps; what was typed survives a bad submit and a
    step back. Only for a logged-in user with a verified email and no company yet."""

    form_list = REGISTRATION_STEPS
    template_name = "vendors/register.html"

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated and request.user.role is not None:
            return redirect("home")
        if request.user.is_authenticated and hasattr(request.user, "vendor_membership"):
            # A user of a deactivated company: no role, and no second company either.
            raise PermissionDenied(COMPANY_INACTIVE)
        if request.user.is_authenticated and not request.user.email_verified:
            return render(request, "vendors/register_verify_email.html")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # formtools looks the posted step up without checking it: an edited one was a 500.
        step = request.POST.get(f"{self.prefix}-current_step")
        if step is not None and step not in self.get_form_list():
            raise SuspiciousOperation(WIZARD_STEP_UNKNOWN)
        return super().post(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Come back to the step where the user left off, with what they typed (formtools
        would start over); `?ulang` starts over."""
        step = self.storage.current_step
        if "ulang" in request.GET or step is None or step not in self.steps.all:
            return super().get(request, *args, **kwargs)
        form = self.get_form(
            step=step,
            data=self.storage.get_step_data(step),
            files=self.storage.get_step_files(step),
        )
        return self.render(form)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["step_number"] = self.steps.index + 3
        summary = self.get_all_cleaned_data() if self.steps.current == "skala" else None
        if summary and summary.get("npwp"):
            # Stored as digits; shown as written on the NPWP card, for the applicant to check.
            summary["npwp"] = rules.format_npwp(summary["npwp"])
        context["summary"] = summary
        return context

    def done(self, form_list, form_dict, **kwargs) -> HttpResponse:
        data = self.get_all_cleaned_data()
        try:
            services.vendor_register(
                owner=self.request.user,
                name=data["name"],
                legal_form=data["legal_form"],
                nib=data["nib"],
                npwp=data["npwp"],
                npwp_check_digit_confirmed=bool(data.get("npwp_confirm")),
                kbli_codes=data["kbli_codes"],
                address=data["address"],
                city=data["city"],
                province=data["province"],
                phone=data["phone"],
                capital=data.get("capital"),
                annual_sales=data.get("annual_sales"),
            )
        except ValidationError as error:
            # Someone registered the same NIB/NPWP meanwhile: back to the identity step.
            identity = form_dict["identitas"]
            add_service_error(identity, error)
            return self.render_revalidation_failure("identitas", identity)
        messages.success(self.request, REGISTERED)
        return redirect("vendors:home")


register = RegistrationWizard.as_view()


@role_required(Role.VENDOR)
def profile_edit(request: HttpRequest) -> HttpResponse:
    vendor = _vendor_of(request)
    if not request.user.vendor_member.is_owner:
        raise PermissionDenied(services.OWNER_ONLY)
    form = forms.VendorEditForm(request.POST or None, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["npwp_check_digit_confirmed"] = bool(data.pop("npwp_confirm", False))
        was_rejected = vendor.status == "rejected"
        try:
            services.vendor_update(vendor=vendor, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, COMPANY_RESUBMITTED if was_rejected else COMPANY_SAVED)
            return redirect("vendors:home")
    return render(request, "vendors/profile_edit.html", {"vendor": vendor, "form": form})


# Staff --------------------------------------------------------------------------------------


@role_required(Role.VENDOR)
def members(request: HttpRequest) -> HttpResponse:
    vendor = _vendor_of(request)
    is_owner = request.user.vendor_member.is_owner
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied(services.OWNER_ONLY)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    vendor=vendor, by=request.user, email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, INVITATION_SENT.format(email=invitation.email))
                return redirect("vendors:members")
    return render(
        request,
        "vendors/members.html",
        {
            "vendor": vendor,
            "is_owner": is_owner,
            "members": selectors.vendor_members(vendor=vendor),
            "invitations": vendor.invitations.filter(accepted_at__isnull=True).select_related(
                "invited_by"
            ),
            "form": form,
        },
    )


@role_required(Role.VENDOR)
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, vendor=_vendor_of(request))
    services.invitation_cancel(invitation=invitation, by=request.user)
    messages.success(request, INVITATION_CANCELLED)
    return redirect("vendors:members")


@role_required(Role.VENDOR)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(
        VendorMember.objects.select_related("user"), pk=member_id, vendor=_vendor_of(request)
    )
    try:
        services.member_remove(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MEMBER_REMOVED.format(name=member.user.full_name))
    return redirect("vendors:members")


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Join a company from an emailed invitation: sign up here, or accept while logged in."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as error:
        return render(request, "vendors/invitation_invalid.html", {"error": error}, status=410)
    signup_form = None
    error = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as e:
                error = e
            else:
                messages.success(request, INVITATION_ACCEPTED.format(vendor=invitation.vendor.name))
                return redirect("vendors:home")
    else:
        signup_form = SignupForm(request.POST or None, initial={"email": invitation.email})
        signup_form.fields["email"].disabled = True
        if request.method == "POST" and signup_form.is_valid():
            user = account_services.user_signup(
                email=invitation.email,
                full_name=signup_form.cleaned_data["full_name"],
                phone=signup_form.cleaned_data["phone"],
                password=signup_form.cleaned_data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                send_verification=False,
            )
            services.invitation_accept(invitation=invitation, user=user)
            login(request, user, backend=EMAIL_BACKEND)
            messages.success(request, INVITATION_ACCEPTED.format(vendor=invitation.vendor.name))
            return redirect("vendors:home")
    return render(
        request,
        "vendors/invitation_accept.html",
        {"invitation": invitation, "signup_form": signup_form, "error": error},
    )


# Products -----------------------------------------------------------------------------------


@role_required(Role.VENDOR)
def products(request: HttpRequest) -> HttpResponse:
    vendor = _vendor_of(request)
    return render(
        request,
        "vendors/products.html",
        {
            "vendor": vendor,
            "products": selectors.vendor_products(vendor=vendor, today=timezone.localdate()),
        },
    )


@role_required(Role.VENDOR)
def product_edit(request: HttpRequest, product_id: int | None = None) -> HttpResponse:
    vendor = _vendor_of(request)
    product = _get_own_product(request, product_id) if product_id else None
    form = forms.ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        product = services.product_save(
            vendor=vendor, by=request.user, product=product, photos=photos, **data
        )
        messages.success(request, PRODUCT_SAVED.format(name=product.name))
        return redirect("vendors:products")
    return render(request, "vendors/product_edit.html", {"form": form, "product": product})


@role_required(Role.VENDOR)
@require_POST
def product_photo_delete(request: HttpRequest, product_id: int, photo_id: int) -> HttpResponse:
    product = _get_own_product(request, product_id)
    photo = get_object_or_404(ProductPhoto, pk=photo_id, product=product)
    services.product_photo_delete(photo=photo, by=request.user)
    messages.success(request, PHOTO_DELETED)
    return redirect("vendors:product-edit", product.pk)


@login_not_required
def product_photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """Photos of active products of verified vendors are public; others only for the
    company's users and admins."""
    photo = get_object_or_404(ProductPhoto.objects.select_related("product__vendor"), pk=photo_id)
    product = photo.product
    public = product.is_active and product.vendor.is_verified
    if not public and not _may_see_vendor_files(request, product.vendor_id):
        raise Http404
    return private_file_response(photo.image, name=f"foto-produk-{photo.pk}")


# Certificates -------------------------------------------------------------------------------


@role_required(Role.VENDOR)
def certificates(request: HttpRequest) -> HttpResponse:
    vendor = _vendor_of(request)
    return render(
        request,
        "vendors/certificates.html",
        {
            "vendor": vendor,
            "tkdn_certificates": vendor.tkdn_certificates.prefetch_related("products"),
            "halal_certificates": vendor.halal_certificates.prefetch_related("products"),
            "today": timezone.localdate(),
        },
    )


@role_required(Role.VENDOR)
def certificate_edit(
    request: HttpRequest, kind: str, certificate_id: int | None = None
) -> HttpResponse:
    vendor = _vendor_of(request)
    model = _certificate_model(kind)
    certificate = _get_own_certificate(request, model, certificate_id) if certificate_id else None
    if certificate is not None and certificate.status in (
        CertificateStatus.VERIFIED,
        CertificateStatus.EXPIRED,
    ):
        messages.error(request, services.CERTIFICATE_LOCKED)
        return redirect("vendors:certificates")
    if not vendor.products.exists():
        messages.error(request, NO_PRODUCTS_YET)
        return redirect("vendors:product-add")
    form_class = forms.TKDNCertificateForm if kind == "tkdn" else forms.HalalCertificateForm
    form = form_class(
        request.POST or None, request.FILES or None, instance=certificate, vendor=vendor
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        products = list(data.pop("products"))
        upload = data.pop("file")
        submit = (
            services.tkdn_certificate_submit
            if kind == "tkdn"
            else services.halal_certificate_submit
        )
        try:
            saved = submit(
                vendor=vendor,
                by=request.user,
                certificate=certificate,
                products=products,
                file=upload if isinstance(upload, UploadedFile) else None,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, CERTIFICATE_SUBMITTED.format(number=saved.number))
            return redirect("vendors:certificates")
    return render(
        request,
        "vendors/certificate_edit.html",
        {"form": form, "certificate": certificate, "kind": kind, "model": model},
    )


def certificate_file(request: HttpRequest, kind: str, certificate_id: int) -> FileResponse:
    """The uploaded certificate, for the company's own users and Dinas PPKUKM admins only."""
    model = _certificate_model(kind)
    certificate = get_object_or_404(model, pk=certificate_id)
    if not _may_see_vendor_files(request, certificate.vendor_id):
        raise Http404
    return private_file_response(certificate.file, name=f"sertifikat-{kind}-{certificate.number}")


def _may_see_vendor_files(request: HttpRequest, vendor_id: int) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    member = user.vendor_member
    return member is not None and member.vendor_id == vendor_id


# Public directory ---------------------------------------------------------------------------


@login_not_required
@require_safe
def directory_index(request: HttpRequest) -> HttpResponse:
    """Active products of verified vendors, searched, filtered and paginated: what OPD officers
    browse before a business-matching event. The city choices and the results are computed
    once per state of the data they show (and per day: certificates expire by date): the
    vendors, and the words of the search (a product edit computes again the searches that
    may find it, not every page); the whole catalogue for a list without a search."""
    today = timezone.localdate()
    # The words of the query as typed (a superset of the cleaned one's), read first: the same
    # query reads the topics' versions for the rest of the request.
    q = request.GET.get("q", "")
    words = directory.word_versions(q) if q.strip() else None
    cities = cached("directory-cities", directory.listed_cities, topics=(topics.DIRECTORY,))
    form = directory.DirectoryFilterForm(request.GET, cities=cities)
    filters = form.filters()
    for problem in form.problems():
        messages.warning(request, problem)

    def render_results() -> str:
        page = directory.results_page(filters=filters, on=today, number=request.GET.get("page"))
        context = {
            "filters": filters,
            **page_context(page),
        }
        return render_to_string("vendors/directory/results.html", context, request)

    if filters.q and words is not None:
        depends = {"topics": (topics.DIRECTORY,), "parts": sorted(words.items())}
    else:
        depends = {"topics": (topics.CATALOGUE,), "parts": ()}
    results = cached(
        "directory-results",
        render_results,
        topics=depends["topics"],
        parts=(filters, today, sorted(request.GET.lists()), depends["parts"]),
    )
    filter_form = filter_form_html(
        "vendors/directory/filter_form.html", form, topics=(topics.DIRECTORY,)
    )
    return render(
        request,
        "vendors/directory/index.html",
        {
            "filters": filters,
            "filter_form": filter_form,
            "results": results,
            "tiers": directory.TIERS,
        },
    )


@login_not_required
@require_safe
def directory_vendor(request: HttpRequest, vendor_id: int) -> HttpResponse:
    """A verified vendor's public page; 404 for any other vendor."""
    vendor = get_object_or_404(directory.listed_vendors(), pk=vendor_id)
    today = timezone.localdate()
    products = directory.vendor_products(vendor=vendor, on=today)
    return render(
        request,
        "vendors/directory/vendor.html",
        {
            "vendor": vendor,
            "products": products,
            "tiers": directory.TIERS,
            "blacklisting": vendor.blacklisting_on(today),
        },
    )
