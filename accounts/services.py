from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User, normalize_email

EMAIL_TAKEN = _(
    "Email ini sudah terdaftar. Masuk dengan email itu, atau pakai “Lupa kata sandi” "
    "jika Anda lupa kata sandinya."
)
VERIFICATION_LINK_INVALID = _(
    "Tautan verifikasi tidak berlaku atau sudah kedaluwarsa (berlaku 3 hari). Masuk, lalu minta "
    "tautan baru dari halaman pendaftaran usaha."
)
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 60 * 60
_EMAIL_VERIFICATION_SALT = "accounts.email-verification"

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"

# The apps whose records Dinas PPKUKM admins manage day to day.
_ADMIN_APPS = ("vendors", "procurement", "matching")


def mail_deliver(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one message now (called from a Celery task; views queue, never send)."""
    message = EmailMultiAlternatives(
        subject=subject.strip().replace("\n", " "),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def mail_queue(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Queue a message to go out once the current transaction commits."""
    from accounts.tasks import mail_send

    mail_send.delay_on_commit(subject=subject, body=body, to=to, html_body=html_body)


@transaction.atomic
def admin_group_ensure() -> Group:
    """The group that gives Dinas PPKUKM admins their permissions in Django admin: every
    permission on the programme's records, and viewing and changing users (not deleting)."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    permissions = Permission.objects.filter(
        Q(content_type__app_label__in=_ADMIN_APPS)
        | Q(
            content_type__app_label="accounts",
            codename__in=["view_user", "change_user", "add_user"],
        )
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def admin_create(*, email: str, full_name: str, password: str | None) -> User:
    """A Dinas PPKUKM admin: staff, in the admin group, not a superuser."""
    user = User.objects.create_user(email, password, full_name=full_name, is_staff=True)
    user.groups.add(admin_group_ensure())
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the user's language so that mail to them is written in it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def mail_users(*, users: Iterable[User], template: str, context: dict, base_url: str = "") -> None:
    """Queue one message per user, written in that user's language.

    `template` names `emails/<template>_subject.txt` and `emails/<template>.txt`."""
    for user in users:
        with translation.override(user.language):
            full_context = {"user": user, "base_url": base_url or settings.SITE_URL, **context}
            subject = render_to_string(f"emails/{template}_subject.txt", full_context)
            body = render_to_string(f"emails/{template}.txt", full_context)
        mail_queue(subject=subject, body=body, to=[user.email])


@transaction.atomic
def user_signup(
    *,
    email: str,
    full_name: str,
    password: str,
    phone: str = "",
    language: str,
    send_verification: bool = True,
) -> User:
    """A new account (a vendor applicant until they register their company). Joining through
    an emailed invitation verifies the address instead, hence `send_verification`."""
    email = normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(EMAIL_TAKEN, code="email_taken")
    user = User.objects.create_user(
        email, password, full_name=full_name, phone=phone, language=language
    )
    if send_verification:
        email_verification_send(user=user)
    return user


def email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_EMAIL_VERIFICATION_SALT)


def email_verification_send(*, user: User) -> None:
    token = email_verification_token(user)
    mail_users(
        users=[user],
        template="accounts/email_verification",
        context={"link": reverse("accounts:email-verify", args=[token])},
    )


def email_verify(*, token: str) -> User:
    """Mark the address verified; the token proves the user read mail sent to it."""
    try:
        data = signing.loads(
            token, salt=_EMAIL_VERIFICATION_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.BadSignature:
        raise ValidationError(VERIFICATION_LINK_INVALID, code="link_invalid") from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise ValidationError(VERIFICATION_LINK_INVALID, code="link_invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def notify(*, users: Iterable[User], template: str, context: dict, link: str = "") -> None:
    """Tell users about a change that concerns them: a notification in the portal (its text
    is the mail's subject, in the user's language) and the mail itself."""
    users = [u for u in users if u.is_active]
    rows = []
    for user in users:
        with translation.override(user.language):
            subject = render_to_string(
                f"emails/{template}_subject.txt", {"user": user, **context}
            ).strip()
        rows.append(Notification(user=user, message=subject, link=link))
    Notification.objects.bulk_create(rows)
    mail_users(users=users, template=template, context={"link": link, **context})


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
