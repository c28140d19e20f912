"""The OPD's own settings: the payment target (calendar days from the BAST to payment), the
portal's own target until the regulation is confirmed (domain brief, "After the contract")."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from procurement import rules
from procurement.models import OPD

TARGET_POSITIONS_ONLY = _(
    "Hanya PPK atau KPA OPD ini yang mengubah target pembayaran (jabatan Anda: {position})."
)
TARGET_OUT_OF_RANGE = _("Target pembayaran antara 1 dan 365 hari kalender.")


def may_set_payment_target(*, user: User, opd: OPD) -> bool:
    officer = user.opd_officer
    return (
        officer is not None
        and officer.opd_id == opd.pk
        and officer.position in rules.PAYMENT_TARGET_POSITIONS
    )


@transaction.atomic
def opd_payment_target_set(*, opd: OPD, days: int, by: User) -> OPD:
    officer = by.opd_officer
    if officer is None or officer.opd_id != opd.pk:
        raise PermissionDenied(_("OPD ini bukan OPD Anda."))
    if officer.position not in rules.PAYMENT_TARGET_POSITIONS:
        raise PermissionDenied(
            TARGET_POSITIONS_ONLY.format(position=officer.get_position_display())
        )
    if not 1 <= days <= 365:
        raise ValidationError({"payment_target_days": TARGET_OUT_OF_RANGE})
    opd = OPD.objects.select_for_update().get(pk=opd.pk)
    before = opd.payment_target_days
    if before == days:
        return opd
    opd.payment_target_days = days
    opd.save(update_fields=["payment_target_days"])
    audit.record(
        actor=by,
        action=AuditAction.OPD_PAYMENT_TARGET_SET,
        obj=opd,
        changes={"payment_target_days": [before, days]},
    )
    return opd
