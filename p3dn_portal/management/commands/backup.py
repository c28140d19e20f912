from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from p3dn_portal.lib import backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database (pg_dump, one snapshot) and the private uploads, with "
        "a manifest of row counts, file checksums, migrations and the portal version, into a "
        "new folder under --output (default BACKUP_ROOT). It never holds a sealing key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None)
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Then delete all but this many newest backups in the folder.",
        )

    def handle(self, *args, output: Path | None, keep: int | None, **options) -> None:
        destination = output or Path(settings.BACKUP_ROOT)
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            made = backup.backup_create(destination=destination)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        database, files = made.manifest["database"], made.manifest["files"]
        self.stdout.write(
            f"Backup written to {made.path}: {sum(database['tables'].values())} rows in "
            f"{len(database['tables'])} tables, {files['count']} files."
        )
        if keep is not None:
            for gone in backup.backups_prune(destination=destination, keep=keep):
                self.stdout.write(f"Deleted the older backup {gone.name}.")
