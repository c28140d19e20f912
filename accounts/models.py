from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from p3dn_portal.lib.choices import ChoiceLabels


class Role(models.TextChoices):
    VENDOR = "vendor", _("Penyedia (UMKM)")
    OFFICER = "officer", _("Pejabat OPD")
    ADMIN = "admin", _("Admin Dinas PPKUKM")


def normalize_email(email: str) -> str:
    """Emails are compared without case: store them lower-cased and trimmed."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. What they may do comes from what they
    belong to: a vendor company (vendors.VendorMember), an OPD (procurement.Officer), or the
    Dinas PPKUKM staff (is_staff with group permissions)."""

    email = models.EmailField(_("alamat email"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("nomor telepon"), max_length=30, blank=True)
    language = models.CharField(
        _("bahasa"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    is_staff = models.BooleanField(
        _("admin Dinas PPKUKM"),
        default=False,
        help_text=_("Dapat masuk ke halaman admin dengan izin dari grupnya."),
    )
    date_joined = models.DateTimeField(_("tanggal bergabung"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email diverifikasi pada"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("jamak", "pengguna")
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def role(self) -> Role | None:
        if self.is_staff:
            return Role.ADMIN
        if self.vendor_member is not None:
            return Role.VENDOR
        if self.opd_officer is not None:
            return Role.OFFICER
        return None

    @property
    def is_admin_account(self) -> bool:
        return self.is_staff or self.is_superuser

    @property
    def vendor_member(self):  # -> vendors.VendorMember | None
        """The membership through which the user acts for a company: none for an admin
        account (never a vendor's user: the database refuses it too), for a role the portal
        does not know, or when the company was deactivated."""
        member = getattr(self, "vendor_membership", None)
        if member is None or self.is_admin_account or not member.has_known_role:
            return None
        return member if member.vendor.is_active else None

    @property
    def opd_officer(self):  # -> procurement.Officer | None
        """The user's OPD post: none for an admin account (never an officer)."""
        officer = getattr(self, "officer", None)
        return None if officer is None or self.is_admin_account else officer


class Notification(ChoiceLabels, models.Model):
    """A message for one user in the portal (the same change is also mailed)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("pengguna")
    )
    message = models.TextField(_("pesan"))
    # What happened (the mail template, e.g. "matching/meeting_requested") and the message as
    # each language of the portal words it, written when it happened: the page shows it in
    # the reader's language, whichever the recipient had then. Worded then, not now, since
    # its parameters (a meeting's status, a company's name) may change afterwards. `message`
    # is the recipient's language, and all that rows from before `kind` hold.
    kind = models.CharField(_("jenis"), max_length=100, blank=True)
    texts = models.JSONField(_("pesan per bahasa"), default=dict, blank=True)
    link = models.CharField(_("tautan"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)
    read_at = models.DateTimeField(_("dibaca pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("pemberitahuan")
        verbose_name_plural = pgettext_lazy("jamak", "pemberitahuan")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def text(self) -> str:
        """The message in the active language (as stored for a row from before `texts`)."""
        return self.texts.get(translation.get_language() or "") or self.message


class OutgoingMail(models.Model):
    """A message to send, written in the same transaction as the change it reports: a
    broker outage after the commit delays the mail, never loses it. Sent at least once
    (a worker dying between sending and recording may send it again), never twice by two
    tasks: whoever sends it holds the row lock and records `sent_at`."""

    to = models.JSONField(_("penerima"))
    # The bid a message is about (its receipt, a closing or cancellation notice to its
    # bidder): who it goes to tells who bid, so the outbox admin hides it while sealed.
    bid = models.ForeignKey(
        "procurement.Bid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("penawaran"),
    )
    subject = models.CharField(_("subjek"), max_length=300)
    body = models.TextField(_("isi"))
    html_body = models.TextField(_("isi HTML"), blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    # When the flush job tries it (again); empty once sent, or when it gave up.
    next_attempt_at = models.DateTimeField(_("dicoba lagi pada"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("surel keluar")
        verbose_name_plural = pgettext_lazy("jamak", "surel keluar")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outgoing_mail_due",
                condition=models.Q(sent_at__isnull=True, next_attempt_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.subject[:60]
