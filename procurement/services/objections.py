"""Objections (sanggah) to a winner announcement: filed by a bidder that did not win within
the objection period, answered by the officers; an upheld one withdraws the winner and
reopens the evaluation."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from procurement.models import BidStatus, Objection, Package
from procurement.rules import Action, Status
from procurement.services import lifecycle
from procurement.services.lifecycle import (
    AUDITED_PACKAGE_FIELDS,
    REASON_REQUIRED,
    WRONG_STATE,
    _authorize,
    _transition,
    _when,
)
from procurement.services.notifications import (
    _notify_bidders,
    _notify_officers,
    _notify_vendor_users,
)

OBJECTION_CLOSED = _("Masa sanggah sudah berakhir pada {ends}.")
OBJECTION_NOT_BIDDER = _("Hanya peserta yang mengajukan penawaran dapat menyanggah.")
OBJECTION_BY_WINNER = _("Pemenang tidak dapat menyanggah penetapannya sendiri.")
OBJECTION_ANSWERED = _("Sanggah ini sudah dijawab.")


@transaction.atomic
def objection_file(
    *, package: Package, by: User, text: str, attachment: UploadedFile | None = None
) -> Objection:
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.status != Status.OBJECTION:
        raise ValidationError(
            WRONG_STATE.format(status=package.get_status_display(), action=_("menyanggah")),
            code="wrong_state",
        )
    if lifecycle.database_now() > package.objection_ends_at:
        raise ValidationError(
            OBJECTION_CLOSED.format(ends=_when(package.objection_ends_at)), code="closed"
        )
    member = by.vendor_member
    bid = (
        package.bids.filter(vendor_id=member.vendor_id, status=BidStatus.ACTIVE).first()
        if member
        else None
    )
    if bid is None:
        raise PermissionDenied(OBJECTION_NOT_BIDDER)
    if bid.pk == package.winner_id:
        raise ValidationError(OBJECTION_BY_WINNER, code="winner")
    objection = Objection.objects.create(
        package=package, bid=bid, text=text.strip(), attachment=attachment, filed_by=by
    )
    audit.record(
        actor=by,
        action=AuditAction.OBJECTION_FILED,
        obj=objection,
        changes={"text": [None, objection.text]},
    )
    _notify_officers(package, "procurement/objection_filed", objection=objection)
    return objection


@transaction.atomic
def objection_answer(
    *, objection: Objection, by: User, answer: str, upheld: bool = False
) -> Objection:
    """Decide a sanggah: rejected, or upheld, which sends the package back to the selection
    (winner withdrawn; the pokja corrects its verdicts and a new run ranks again) before
    anything can be awarded. The objector is told the decision; when upheld, every bidder."""
    _authorize(package=objection.package, by=by, action=Action.ANSWER_OBJECTION)
    objection = (
        Objection.objects.select_for_update().select_related("bid__vendor").get(pk=objection.pk)
    )
    if objection.answered_at is not None:
        raise ValidationError(OBJECTION_ANSWERED, code="answered")
    if not answer.strip():
        raise ValidationError(REASON_REQUIRED, code="required")
    package = objection.package
    if upheld:
        _authorize(package=package, by=by, action=Action.REOPEN)
        package = _transition(package=package, action=Action.REOPEN, by=by, reason=answer.strip())
        package.winner = None
        package.objection_ends_at = None
        package.save(update_fields=["status", "winner", "objection_ends_at"])
    objection.answer = answer.strip()
    objection.upheld = upheld
    objection.answered_by = by
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    audit.record(
        actor=by,
        action=AuditAction.OBJECTION_ANSWERED,
        obj=objection,
        changes={
            "answer": ["", objection.answer],
            "upheld": [None, upheld],
            "answered_at": [None, objection.answered_at],
        },
    )
    if upheld:
        audit.record(
            actor=by,
            action=AuditAction.EVALUATION_REOPENED,
            obj=package,
            changes=audit.diff(
                package.audit_before, audit.snapshot(package, AUDITED_PACKAGE_FIELDS)
            ),
            note=objection.answer,
        )
    _notify_vendor_users(
        objection.bid.vendor,
        "procurement/objection_answered",
        package=package,
        objection=objection,
    )
    if upheld:
        _notify_bidders(package, "procurement/evaluation_reopened", objection=objection)
    return objection
