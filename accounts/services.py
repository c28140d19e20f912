import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from smtplib import SMTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts import signals
from accounts.backends import UNREAD
from accounts.models import Notification, OutgoingMail, User, normalize_email
from p3dn_portal.celery import publish_or_defer

logger = logging.getLogger(__name__)

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

# The group's name is data, and also a catalogue string: the admin shows it translated.
ADMIN_GROUP_NAME = gettext_noop("Admin Dinas PPKUKM")
RESET_LINK_INACTIVE = _(
    "Akun ini nonaktif. Aktifkan dulu akunnya, lalu kirim tautan pembuatan kata sandi."
)

# A message whose task reached a worker is sent within seconds; one still unsent after this
# is taken by the flush job (its task was lost with the broker, or is stuck behind others).
OUTBOX_GRACE = timedelta(minutes=2)
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_FLUSH_BATCH = 500
OUTBOX_KEEP_SENT = timedelta(days=30)

# What a Dinas PPKUKM admin's work needs, and nothing more (the README lists it): verifying
# vendors and certificates, keeping the blacklist, assisting halal registrations, keeping
# OPDs and their officers, running business-matching events, reading packages, opened bids,
# objections and the audit log, helping users (their name, a reset link, a lost
# authenticator, a lockout). Creating admins, groups and permissions, and reading the
# outbox, are a superuser's.
ADMIN_GROUP_PERMISSIONS = (
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_user",
    "audit.view_auditentry",
    "axes.delete_accessattempt",
    "axes.view_accessattempt",
    "contracts.view_contract",
    "contracts.view_contractflag",
    "contracts.view_contractline",
    "contracts.view_delivery",
    "contracts.view_deliveryline",
    "contracts.view_handover",
    "contracts.view_invoice",
    "contracts.view_payment",
    "contracts.view_rating",
    "matching.add_event",
    "matching.add_eventbreak",
    "matching.add_eventday",
    "matching.add_meeting",
    "matching.change_event",
    "matching.change_eventbreak",
    "matching.change_eventday",
    "matching.change_meeting",
    "matching.change_outcome",
    "matching.change_participant",
    "matching.delete_checkin",
    "matching.delete_event",
    "matching.delete_eventbreak",
    "matching.delete_eventday",
    "matching.view_checkin",
    "matching.view_event",
    "matching.view_eventbreak",
    "matching.view_eventday",
    "matching.view_meeting",
    "matching.view_need",
    "matching.view_outcome",
    "matching.view_participant",
    "matching.view_schedulerun",
    "matching.view_suggestion",
    "otp_totp.delete_totpdevice",
    "otp_totp.view_totpdevice",
    "procurement.add_officer",
    "procurement.add_opd",
    "procurement.change_officer",
    "procurement.change_opd",
    "procurement.delete_officer",
    "procurement.view_bid",
    "procurement.view_objection",
    "procurement.view_officer",
    "procurement.view_opd",
    "procurement.view_package",
    "procurement.view_packageevent",
    "procurement.view_packageitem",
    "vendors.add_blacklisting",
    "vendors.add_halalassistance",
    "vendors.add_product",
    "vendors.add_vendor",
    "vendors.change_blacklisting",
    "vendors.change_halalassistance",
    "vendors.change_halalcertificate",
    "vendors.change_product",
    "vendors.change_tkdncertificate",
    "vendors.change_vendor",
    "vendors.view_blacklisting",
    "vendors.view_halalassistance",
    "vendors.view_halalcertificate",
    "vendors.view_invitation",
    "vendors.view_product",
    "vendors.view_tkdncertificate",
    "vendors.view_vendor",
    "vendors.view_vendormember",
)


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


def mail_queue(
    *, subject: str, body: str, to: list[str], html_body: str | None = None, bid=None
) -> OutgoingMail:
    """Keep a message in the outbox, in the caller's transaction, and hand it to a worker
    once that commits. With the broker down the change still succeeds: the message waits
    and outgoing_mail_flush sends it when the broker is back. `bid`: the procurement.Bid the
    message is about (its receipt, say), hidden in the outbox while the bid is sealed."""
    mail = OutgoingMail.objects.create(
        bid=bid,
        to=list(to),
        subject=subject.strip().replace("\n", " ")[:300],
        body=body,
        html_body=html_body or "",
        next_attempt_at=timezone.now() + OUTBOX_GRACE,
    )
    transaction.on_commit(lambda: _mail_dispatch(mail.pk))
    return mail


def _mail_dispatch(mail_id: int) -> None:
    from accounts.tasks import outgoing_mail_send

    publish_or_defer(outgoing_mail_send, args=(mail_id,))


def outgoing_mail_send(*, mail_id: int) -> bool:
    """Send one kept message unless it is sent already (or being sent by another worker right
    now). True when this call sent it; a failure is recorded and tried again later."""
    with transaction.atomic():
        # The row lock makes two deliveries of the same task (or the task racing the flush
        # job) send once: the second skips the locked row, then finds it sent.
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None:
            return False
        mail.attempts += 1
        try:
            mail_deliver(
                subject=mail.subject, body=mail.body, to=mail.to, html_body=mail.html_body or None
            )
        except (SMTPException, OSError) as error:
            mail.last_error = repr(error)[:2000]
            mail.next_attempt_at = _next_attempt(mail.attempts)
            mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("Mail %s not sent (attempt %s): %s", mail.pk, mail.attempts, error)
            return False
        mail.sent_at = timezone.now()
        mail.next_attempt_at = None
        mail.save(update_fields=["attempts", "sent_at", "next_attempt_at"])
        return True


def _next_attempt(attempts: int) -> datetime | None:
    """Back off from one minute to an hour; after OUTBOX_MAX_ATTEMPTS the message stays in
    the outbox, unsent, with its last error (Django admin shows it)."""
    if attempts >= OUTBOX_MAX_ATTEMPTS:
        return None
    return timezone.now() + min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=1))


def outgoing_mail_flush(*, limit: int = OUTBOX_FLUSH_BATCH) -> int:
    """Send the kept messages that are due: those whose task never reached a worker (the
    broker was down at commit), and those whose last attempt failed. Run every minute."""
    due = OutgoingMail.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
    return sum(outgoing_mail_send(mail_id=pk) for pk in due.values_list("pk", flat=True)[:limit])


def outgoing_mail_purge(*, older_than: timedelta = OUTBOX_KEEP_SENT) -> int:
    """Forget sent messages after a while (they hold addresses and what was said)."""
    deleted, _ = OutgoingMail.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted


def _permissions_named(names: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


@transaction.atomic
def admin_group_ensure() -> Group:
    """The group that gives Dinas PPKUKM admins their permissions in Django admin: exactly
    ADMIN_GROUP_PERMISSIONS (a permission added to the group by hand is taken away again)."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    group.permissions.set(Permission.objects.filter(_permissions_named(ADMIN_GROUP_PERMISSIONS)))
    return group


@transaction.atomic
def password_reset_link_send(*, user: User, by: User | None) -> OutgoingMail:
    """A one-time link to set a new password, mailed to the user's own address: an admin
    helps a user who lost access (or a new account) without ever setting or learning the
    password, as LPSE helpdesks do. Recorded in the audit log."""
    if not user.is_active:
        raise ValidationError(RESET_LINK_INACTIVE, code="inactive")
    site = urlsplit(settings.SITE_URL)
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
        "domain": site.netloc,
    }
    with translation.override(user.language):
        subject = render_to_string("emails/password_reset_subject.txt", context)
        body = render_to_string("emails/password_reset.txt", context)
    mail = mail_queue(subject=subject, body=body, to=[user.email])
    if by is not None:
        # The audit log records it (audit.receivers), in this transaction.
        signals.password_reset_link_sent.send(sender=User, user=user, by=by)
    return mail


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


def mail_users(
    *, users: Iterable[User], template: str, context: dict, base_url: str = "", bid=None
) -> None:
    """Queue one message per user, written in that user's language.

    `template` names `emails/<template>_subject.txt` and `emails/<template>.txt`; `bid` is
    the bid the message is about, if any (mail_queue)."""
    for user in users:
        with translation.override(user.language):
            full_context = {"user": user, "base_url": base_url or settings.SITE_URL, **context}
            subject = render_to_string(f"emails/{template}_subject.txt", full_context)
            body = render_to_string(f"emails/{template}.txt", full_context)
        mail_queue(subject=subject, body=body, to=[user.email], bid=bid)


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


def notify(
    *, users: Iterable[User], template: str, context: dict, link: str = "", bid=None
) -> None:
    """Tell users about a change that concerns them: a notification in the portal (its text
    is the mail's subject, kept in each language of the portal so that the page shows it in
    the reader's) and the mail itself, in the user's saved language."""
    users = [u for u in users if u.is_active]
    rows = []
    for user in users:
        texts = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                texts[language] = render_to_string(
                    f"emails/{template}_subject.txt", {"user": user, **context}
                ).strip()
        message = texts.get(user.language) or texts[settings.LANGUAGE_CODE]
        rows.append(Notification(user=user, message=message, kind=template, texts=texts, link=link))
    Notification.objects.bulk_create(rows)
    mail_users(users=users, template=template, context={"link": link, **context}, bid=bid)


def notifications_mark_read(*, user: User) -> int:
    """Mark the user's notifications read; the user's unread count (the navbar's, loaded with
    the request's user) is none from now."""
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    setattr(user, UNREAD, 0)
    return marked
