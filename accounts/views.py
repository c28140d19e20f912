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
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language

from accounts import services
from accounts.forms import LoginForm, ProfileForm, QueuedPasswordResetForm, SignupForm

PROFILE_SAVED = _("Profil disimpan.")
LOGGED_OUT = _("Anda sudah keluar. Sampai jumpa.")
SIGNED_UP = _(
    "Akun dibuat. Kami mengirim tautan verifikasi ke {email}: buka tautan itu, lalu lengkapi "
    "data usaha Anda."
)
EMAIL_VERIFIED = _("Email Anda terverifikasi.")
VERIFICATION_SENT = _("Tautan verifikasi baru dikirim ke {email}. Periksa juga folder spam.")
PASSWORD_CHANGED = _("Kata sandi diganti. Pakai kata sandi baru saat masuk berikutnya.")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        # Open the portal in the language the user chose last time.
        return _remember_language(super().form_valid(form), form.get_user().language)


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
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
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
