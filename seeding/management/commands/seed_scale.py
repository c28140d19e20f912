"""Fill an empty database with bench data at production scale (see seeding.scale)."""

from django.core.management.base import BaseCommand, CommandError

from seeding import scale
from vendors.models import Vendor

NOT_EMPTY = (
    "The database already has vendors: seed_scale only fills an empty, migrated database. "
    "Create a new one (createdb, then migrate) and run it there."
)


class Command(BaseCommand):
    help = "Fill an empty database with realistic volumes for benchmarks."

    def add_arguments(self, parser) -> None:
        defaults = scale.Sizes()
        parser.add_argument("--small", action="store_true", help="every size / 100 (for CI)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        for name in ("vendors", "products", "tkdn", "packages", "bids", "participants",
                     "requests"):  # fmt: skip
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))

    def handle(self, *args, **options) -> None:
        if Vendor.objects.exists():
            raise CommandError(NOT_EMPTY)
        sizes = scale.Sizes(**{
            name: options[name]
            for name in ("vendors", "products", "tkdn", "packages", "bids", "participants",
                         "requests")
        })  # fmt: skip
        if options["small"]:
            sizes = sizes.small()
        counts = scale.seed(sizes, seed=options["seed"], report=self.stdout.write)
        for table, count in sorted(counts.items()):
            self.stdout.write(f"{table:<45} {count:>10,}")
        for key, value in scale.manifest().items():
            self.stdout.write(f"{key}: {value}")
