from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from p3dn_portal.lib import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database and private storage, "
        "which must both be empty, then verify it: rows per table, file checksums, migrations, "
        "and that every sealed bid opens with the configured BID_SEALING_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="The backup folder (p3dn-backup-...).")

    def handle(self, *args, source: Path, **options) -> None:
        steps = {
            "database": "Restoring the database (pg_restore)...",
            "files": "Restoring the private uploads...",
            "verify": "Verifying rows, files, migrations and sealed bids...",
        }
        try:
            manifest = backup.backup_restore(
                source=source, progress=lambda step: self.stdout.write(steps[step])
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        if manifest["portal_version"] != backup.portal_version():
            self.stdout.write(
                f"The backup was made by portal {manifest['portal_version']}, this is "
                f"{backup.portal_version()}: run `manage.py migrate` next."
            )
        self.stdout.write(
            f"Restored and verified {source.name}: "
            f"{sum(manifest['database']['tables'].values())} rows, "
            f"{manifest['files']['count']} files, every sealed bid opens."
        )
