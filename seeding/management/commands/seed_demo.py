from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seeding import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one demo login per role."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (demo users have a published password).",
        )

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: the demo users have a published password. "
                "Pass --force to load them anyway (never on a production database)."
            )
        logins = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        width = max(len(role) for role in logins)
        for role, email in logins.items():
            self.stdout.write(f"  {role.ljust(width)}  {email}")
        self.stdout.write(f"  Password for every demo user: {demo.DEMO_PASSWORD}")
        self.stdout.write(
            "  The admin also types a code from an authenticator app: add the key "
            f"{demo.ADMIN_TOTP_KEY} (time-based) to one, or open {demo.admin_totp_uri()}; "
            f"from a shell: oathtool --totp -b {demo.ADMIN_TOTP_KEY}"
        )
