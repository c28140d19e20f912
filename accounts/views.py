import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language

from accounts import otp, security, services
from accounts.backends import EMAIL_BACKEND
from accounts.forms import (
    LoginForm,
    OTPTokenForm,
    ProfileForm,
    QueuedPasswordResetForm,
    SignupForm,
)
from accounts.middleware import otp_not_required

PROFILE_SAVED = _("Profil disimpan.")
LOGGED_OUT = _("Anda sudah keluar. Sampai jumpa.")
SIGNED_UP = _(
    "Akun dibuat. Kami mengirim tautan verifikasi ke {email}: buka tautan itu, lalu lengkapi "
    "data usaha Anda."
)
EMAIL_VERIFIED = _("Email Anda terverifikasi.")
VERIFICATION_SENT = _("Tautan verifikasi baru dikirim ke {email}. Periksa juga folder spam.")
PASSWORD_CHANGED = _("Kata sandi diganti. Pakai kata sandi baru saat masuk berikutnya.")
OTP_WRONG = _(
    "Kode salah atau sudah kedaluwarsa. Ketik kode enam angka yang sedang tampil di aplikasi "
    "autentikator (kode berganti tiap 30 detik), dan pastikan jam ponsel Anda tepat."
)
OTP_THROTTLED = _(
    "Terlalu banyak kode salah. Tunggu {seconds} detik, lalu ketik kode yang sedang tampil di "
    "aplikasi autentikator."
)
OTP_ENROLLED = _(
    "Aplikasi autentikator terdaftar. Setiap kali masuk, ketik kode dari aplikasi itu setelah "
    "kata sandi."
)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        if otp.needs_second_factor(form.get_user()):
            # The password was right; an admin goes on to the code from the authenticator.
            query = urlencode({"next": self.get_success_url()})
            response = redirect(f"{reverse('accounts:otp-verify')}?{query}")
        # Open the portal in the language the user chose last time.
        return _remember_language(response, form.get_user().language)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """What django-axes answers once an email has failed too often from one address."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": settings.AXES_COOLOFF_MINUTES},
        status=429,
    )


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: redirect() would take a bare word ("profil", "x") for a view name and fail.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@otp_not_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of an admin's sign-in: the six-digit code of the authenticator app."""
    if not otp.needs_second_factor(request.user):
        return redirect("home")
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = otp.confirmed_device(request.user)
    if device is None:
        return _redirect_with_next("accounts:otp-setup", request)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if refusal := _otp_throttled(device):
            form.add_error("token", refusal)
        elif otp.token_verify(request=request, device=device, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        else:
            form.add_error("token", OTP_WRONG)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@otp_not_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """An admin's first sign-in: scan the QR code (or type the key) into an authenticator
    app, then type the code it shows to confirm."""
    if not otp.needs_second_factor(request.user):
        return redirect("home")
    if request.user.is_verified() or otp.confirmed_device(request.user) is not None:
        return _redirect_with_next("accounts:otp-verify", request)
    device = otp.enrolment_device(user=request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if refusal := _otp_throttled(device):
            form.add_error("token", refusal)
        elif otp.enrolment_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        ):
            messages.success(request, OTP_ENROLLED)
            return redirect(_next_url(request))
        else:
            form.add_error("token", OTP_WRONG)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_data_url": otp.device_qr_data_url(device),
        "secret": otp.device_secret(device),
    }
    return render(request, "accounts/otp_setup.html", context)


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}")


def _otp_throttled(device) -> str | None:
    """Why no code is checked now: wrong codes before this one earned a pause (django-otp
    doubles it with each one)."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until") or timezone.now()
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return OTP_THROTTLED.format(seconds=seconds)


@method_decorator(otp_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, LOGGED_OUT)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, PASSWORD_CHANGED)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        security.login_failures_forget(email=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            login(request, user, backend=EMAIL_BACKEND)
            messages.success(request, SIGNED_UP.format(email=user.email))
            return redirect("vendors:register")
    return render(request, "accounts/signup.html", {"form": form})


@login_not_required
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_verify(token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home" if request.user.is_authenticated else "accounts:login")
    messages.success(request, EMAIL_VERIFIED)
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("home")
    return redirect_to_login(reverse("home"))


@require_POST
def email_verification_resend(request: HttpRequest) -> HttpResponse:
    if not request.user.email_verified:
        # One mail a minute at most: a double click or an impatient user sends one.
        if cache.add(f"verification-resend:{request.user.pk}", True, timeout=60):
            services.email_verification_send(user=request.user)
        messages.success(request, VERIFICATION_SENT.format(email=request.user.email))
    return redirect("home")


def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, PROFILE_SAVED)
        return _remember_language(redirect("accounts:profile"), form.instance.language)
    return render(request, "accounts/profile.html", {"form": form})


@login_not_required
@otp_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the user's account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )
    return response


NOTIFICATIONS_PAGE_SIZE = 30


@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first. Opening the page marks them read; the ones
    that were unread until now stay highlighted on it."""
    page = Paginator(request.user.notifications.all(), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)  # read before they are marked read
    services.notifications_mark_read(user=request.user)
    return render(request, "accounts/notifications.html", {"page_obj": page})
