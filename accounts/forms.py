from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User, normalize_email

# An email address is at most 254 characters (RFC 5321, and User.email); django-axes records
# every failed sign-in with its username in 255 characters, so a longer one was a server error.
EMAIL_MAX = 254
EMAIL_TOO_LONG = _("Email terlalu panjang (paling banyak 254 karakter). Periksa email Anda.")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Email atau kata sandi salah. Periksa keduanya (huruf besar/kecil pada kata sandi "
            "berpengaruh), atau pakai “Lupa kata sandi” untuk membuat yang baru."
        ),
        "inactive": _("Akun ini dinonaktifkan. Hubungi admin Dinas PPKUKM."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
        # The input's type, not an attribute: `attrs["type"]` would render `type` twice and
        # browsers keep the first (text), so phones would not offer the email keyboard.
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})

    def clean_username(self) -> str:
        # Refused here, the sign-in is not tried: nothing reaches django-axes' records.
        username = self.cleaned_data["username"]
        if len(username) > EMAIL_MAX:
            raise ValidationError(EMAIL_TOO_LONG, code="too_long")
        return username


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the message goes out through Celery, not inside the request."""

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # In the recipient's saved language, not the language of the page that asked.
        with translation.override(context["user"].language):
            subject = loader.render_to_string(subject_template_name, context)
            body = loader.render_to_string(email_template_name, context)
            html_body = (
                loader.render_to_string(html_email_template_name, context)
                if html_email_template_name
                else None
            )
        services.mail_queue(subject=subject, body=body, to=[to_email], html_body=html_body)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]


class SignupForm(BaseUserCreationForm):
    """A new account: email, name, phone and a password checked by the password validators.
    Parses only; accounts.services.user_signup creates the user."""

    usable_password = None

    class Meta:
        model = User
        fields = ("email", "full_name", "phone")
        labels = {"email": _("Email (untuk masuk dan menerima pemberitahuan)")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(services.EMAIL_TAKEN, code="email_taken")
        return email


class OTPTokenForm(forms.Form):
    """The six-digit code an authenticator app shows."""

    token = forms.CharField(
        label=_("Kode dari aplikasi autentikator"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )
