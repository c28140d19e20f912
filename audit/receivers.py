"""Audit rows for what happens in apps below audit, which may not import it (accounts):
they send a signal inside their transaction, and these receivers record it there
(connected in audit.apps)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction

RESET_LINK_NOTE = _("Tautan pembuatan kata sandi dikirim ke email pengguna.")


def password_reset_link_recorded(*, user: User, by: User, **kwargs: object) -> None:
    """accounts.services.password_reset_link_send, by an admin."""
    audit.record(
        actor=by,
        action=AuditAction.PASSWORD_RESET_LINK_SENT,
        obj=user,
        label=user.email,
        note=str(RESET_LINK_NOTE),
    )
