from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Log audit")

    def ready(self) -> None:
        from accounts.signals import password_reset_link_sent
        from audit import receivers

        password_reset_link_sent.connect(
            receivers.password_reset_link_recorded, dispatch_uid="audit.password_reset_link"
        )
