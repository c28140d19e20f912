from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package, installed for its operations commands (backup, restore): they
    reach every app, so they live above them all, not in accounts."""

    name = "p3dn_portal"
