from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """Demo and bench data. Above every other app: it imports them all, and none imports
    it (tests/test_architecture.py)."""

    name = "seeding"
