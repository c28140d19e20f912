from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendata import ocds

NO_RELEASES = gettext_lazy(
    "Tidak ada paket yang diumumkan: berkas tidak berisi rilis (belum valid menurut OCDS)."
)


class Command(BaseCommand):
    help = gettext_lazy("Tulis release package OCDS 1.1 untuk semua paket yang sudah diumumkan.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", required=True, type=Path, help=gettext_lazy("Berkas JSON tujuan.")
        )
        parser.add_argument(
            "--year", type=int, help=gettext_lazy("Hanya paket tahun anggaran ini.")
        )

    def handle(self, *args, output: Path, year: int | None, **options) -> None:
        path = (
            reverse("opendata:download-year", args=[year]) if year else reverse("opendata:download")
        )
        # Written beside the target and moved into place, so a reader never sees half a file.
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("w", encoding="utf-8") as out:
                count = ocds.write_release_package(out, uri=settings.SITE_URL + path, year=year)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
        if not count:
            # OCDS wants at least one release in a package: say so rather than fail.
            self.stderr.write(str(NO_RELEASES))
        self.stdout.write(
            _("%(count)d rilis ditulis ke %(output)s.") % {"count": count, "output": output}
        )
