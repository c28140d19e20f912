"""The life cycle of the keys that seal bids: which keys the stored bids need, whether the
configured ones cover them (startup, /healthz, restore), and rotation to a new key.

A bid needs its key for as long as the bid exists: opened bids are still read from their
ciphertext (the vendor's copy, the receipt check), so the check covers every bid, sealed or
opened, and a key may leave BID_SEALING_KEYS only once `bids_reseal` has moved every bid off
it."""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.models import Count

from audit import services as audit
from audit.models import AuditAction, SystemJob
from procurement import sealing
from procurement.models import Bid

logger = logging.getLogger(__name__)

NO_KEY_ID = "(none)"
KEYS_MISSING = (
    "{count} bid(s) were sealed with keys that are not in BID_SEALING_KEYS (key ids: {ids}): "
    "they cannot be opened at their deadline. Put those keys back in BID_SEALING_KEYS (the key "
    "holders keep them; see the README, 'Sealing keys'), then run `manage.py sealing_rotate`."
)
BIDS_UNREADABLE = (
    "{count} bid(s) could not be re-sealed: no configured key opens them (bid ids: {ids}). "
    "Put their key back in BID_SEALING_KEYS and run the command again."
)
DEFAULT_BATCH = 500

# The distinct key ids of all bids in a few index probes however many bids there are (a
# "loose index scan" through bid_sealing_key): cheap enough for every /healthz request.
_KEY_IDS_IN_USE = """
WITH RECURSIVE ids(key_id) AS (
    (SELECT sealing_key_id FROM procurement_bid ORDER BY sealing_key_id LIMIT 1)
    UNION ALL
    SELECT (
        SELECT sealing_key_id FROM procurement_bid
        WHERE sealing_key_id > ids.key_id ORDER BY sealing_key_id LIMIT 1
    )
    FROM ids WHERE ids.key_id IS NOT NULL
)
SELECT key_id FROM ids WHERE key_id IS NOT NULL
"""


def key_ids_in_use() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_KEY_IDS_IN_USE)
        return [row[0] for row in cursor.fetchall()]


def keys_missing() -> dict[str, int]:
    """{key id: number of bids} for every key that sealed bids and is not configured; empty
    when every bid opens. A bid no key opened when ids were first stored has the id ""."""
    configured = set(sealing.configured_key_ids())
    unknown = [id_ for id_ in key_ids_in_use() if id_ not in configured]
    if not unknown:
        return {}
    counted = (
        Bid.objects.filter(sealing_key_id__in=unknown)
        .values_list("sealing_key_id")
        .annotate(n=Count("pk"))
        .order_by("sealing_key_id")
    )
    return {id_ or NO_KEY_ID: n for id_, n in counted}


def keys_missing_message(missing: dict[str, int]) -> str:
    return KEYS_MISSING.format(count=sum(missing.values()), ids=", ".join(missing))


def keys_check() -> str | None:
    """None when the configured keys open every bid; otherwise what to tell the operator.
    Raises DatabaseError when the database cannot say."""
    missing = keys_missing()
    return keys_missing_message(missing) if missing else None


def log_keys_check() -> None:
    """At a process's start (web, worker): a missing key is an error in the log days before
    a deadline, not at it. Never stops the start (the database may be down a moment)."""
    try:
        problem = keys_check()
    except DatabaseError as error:
        logger.warning("Sealing keys not checked at startup: %s", error)
        return
    if problem:
        logger.error(problem)


@dataclass
class ResealReport:
    resealed: Counter = field(default_factory=Counter)  # old key id -> bids moved
    unreadable: list[int] = field(default_factory=list)
    key_id: str = ""

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def bids_reseal(
    *, batch_size: int = DEFAULT_BATCH, progress: Callable[[ResealReport], None] | None = None
) -> ResealReport:
    """Seal again with the first key of BID_SEALING_KEYS every bid sealed with another key,
    batch by batch, each batch in its own transaction with an audit row per bid. The content
    and so the receipt are unchanged (the receipt hashes the content, not the ciphertext).
    Stopped at any point, it goes on where it stopped when run again; once every bid is on
    the first key it changes nothing. A bid no configured key opens is left as it is and
    reported."""
    report = ResealReport(key_id=sealing.current_key_id())
    after = 0
    while True:
        with transaction.atomic():
            # Locked: a bid re-written meanwhile (its content re-sealed) is never overwritten
            # with the ciphertext read here.
            bids = list(
                Bid.objects.select_for_update(of=("self",))
                .select_related("package", "vendor")
                .exclude(sealing_key_id=report.key_id)
                .filter(pk__gt=after)
                .order_by("pk")[:batch_size]
            )
            if not bids:
                break
            after = bids[-1].pk
            moved, entries = [], []
            for bid in bids:
                try:
                    bid.sealed_content = sealing.reseal(bid.sealed_content)
                except ImproperlyConfigured:
                    report.unreadable.append(bid.pk)
                    continue
                entries.append(
                    audit.entry(
                        actor=None,
                        job=SystemJob.SEALING_KEYS_ROTATE,
                        action=AuditAction.BID_RESEALED,
                        obj=bid,
                        changes={"sealing_key_id": [bid.sealing_key_id, report.key_id]},
                    )
                )
                report.resealed[bid.sealing_key_id or NO_KEY_ID] += 1
                bid.sealing_key_id = report.key_id
                moved.append(bid)
            Bid.objects.bulk_update(moved, ["sealed_content", "sealing_key_id"])
            audit.record_many(entries)
        if progress is not None:
            progress(report)
    return report
