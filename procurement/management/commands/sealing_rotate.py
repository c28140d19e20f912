from django.core.management.base import BaseCommand, CommandError, CommandParser

from procurement import sealing_keys
from procurement.sealing_keys import ResealReport


class Command(BaseCommand):
    help = (
        "Re-seal every bid with the first key of BID_SEALING_KEYS (rotation), in batches, each "
        "in its own transaction with its audit rows. Resumable and idempotent: run it until "
        "it reports nothing left, then the old keys may leave the list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=sealing_keys.DEFAULT_BATCH)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(report: ResealReport) -> None:
            self.stdout.write(f"  {report.total} bid(s) re-sealed so far")

        report = sealing_keys.bids_reseal(batch_size=batch_size, progress=progress)
        moved = ", ".join(f"{n} from key {id_}" for id_, n in sorted(report.resealed.items()))
        self.stdout.write(
            f"Sealing key {report.key_id}: {report.total} bid(s) re-sealed"
            + (f" ({moved})." if moved else "; every bid was already sealed with it.")
        )
        if report.unreadable:
            raise CommandError(
                sealing_keys.BIDS_UNREADABLE.format(
                    count=len(report.unreadable), ids=", ".join(map(str, report.unreadable[:20]))
                )
            )
        missing = sealing_keys.keys_missing()
        if missing:
            raise CommandError(sealing_keys.keys_missing_message(missing))
        self.stdout.write("Every bid opens with the first key: older keys may now be removed.")
