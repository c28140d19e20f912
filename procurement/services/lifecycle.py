"""What every lifecycle step shares: the officer's authority (OPD and position), the state
machine's move with its PackageEvent and audit row, and the database's clock, which decides
every deadline. The steps themselves live in the sibling modules."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from procurement import rules
from procurement.models import Package, PackageEvent
from procurement.rules import Action

NOT_YOUR_OPD = _("Paket ini milik OPD lain.")
POSITION_NOT_ALLOWED = _("Jabatan Anda ({position}) tidak berwenang {action}.")
WRONG_STATE = _("Paket berstatus “{status}”: tidak dapat {action}.")
REASON_REQUIRED = _("Tulis alasannya: peserta dan auditor membacanya.")


def authorize_position(*, officer, action: str) -> None:
    """PermissionDenied, saying why, unless the officer's position may take the action."""
    if not rules.may(officer.position, action):
        raise PermissionDenied(
            POSITION_NOT_ALLOWED.format(
                position=officer.get_position_display(), action=rules.Action(action).label
            )
        )


def state_problem(package: Package, action: str) -> str | None:
    """Why the package's state does not allow the action, or None."""
    if rules.next_status(package.status, action) is None:
        return WRONG_STATE.format(status=package.get_status_display(), action=Action(action).label)
    return None


def _authorize(*, package: Package, by: User, action: str) -> None:
    officer = by.opd_officer
    if officer is None or officer.opd_id != package.opd_id:
        raise PermissionDenied(NOT_YOUR_OPD)
    authorize_position(officer=officer, action=action)


def _transition(*, package: Package, action: str, by: User | None, reason: str = "") -> Package:
    """Lock the package, check the state machine, move it and write the audit row. The
    caller is inside a transaction."""
    package = Package.objects.select_for_update().get(pk=package.pk)
    problem = state_problem(package, action)
    if problem:
        raise ValidationError(problem, code="wrong_state")
    target = rules.next_status(package.status, action)
    package.audit_before = audit.snapshot(package, AUDITED_PACKAGE_FIELDS)
    PackageEvent.objects.create(
        package=package,
        action=action,
        from_status=package.status,
        to_status=target,
        by=by,
        reason=reason,
    )
    package.status = target
    return package


# What a lifecycle step may change on a package, as the audit log shows it.
AUDITED_PACKAGE_FIELDS = (
    "status",
    "winner",
    "objection_ends_at",
    "contract_value",
    "contract_number",
    "contract_signed_on",
    "performance_guarantee",
    "cancel_reason",
)


TRANSITION_AUDIT = {
    Action.ANNOUNCE: AuditAction.PACKAGE_ANNOUNCED,
    Action.CLOSE: AuditAction.PACKAGE_CLOSED,
    Action.ANNOUNCE_WINNER: AuditAction.WINNER_ANNOUNCED,
    Action.AWARD: AuditAction.PACKAGE_AWARDED,
    Action.CONTRACT: AuditAction.CONTRACT_RECORDED,
    Action.CANCEL: AuditAction.PACKAGE_CANCELLED,
    Action.FAIL: AuditAction.PACKAGE_FAILED,
}


def _audit_transition(
    package: Package, *, action: str, by: User | None, note: str = "", job: str = ""
) -> None:
    """The audit row of a lifecycle step, once its changes are saved (same transaction)."""
    audit.record(
        actor=by,
        action=TRANSITION_AUDIT[action],
        obj=package,
        changes=audit.diff(package.audit_before, audit.snapshot(package, AUDITED_PACKAGE_FIELDS)),
        note=note,
        job=job,
    )


def database_now() -> datetime:
    """The database's clock, read now (not at transaction start): it decides deadlines,
    whatever the clocks of the web servers and workers say. The sibling modules call it as
    `lifecycle.database_now()`, so that a test moves every deadline check with one patch."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _when(moment: datetime) -> str:
    return f"{date_format(timezone.localtime(moment), 'DATETIME_FORMAT')} WIB"
