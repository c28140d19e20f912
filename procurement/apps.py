from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def sealing_keys_checked(**kwargs: object) -> None:
    """The worker opens bids at their deadline: a key it lacks is logged as it starts."""
    from procurement.sealing_keys import log_keys_check

    log_keys_check()


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Pengadaan")

    def ready(self) -> None:
        from celery.signals import worker_ready

        from procurement import checks  # noqa: F401 (registers the sealing key check)

        # Here, not in p3dn_portal.celery, which the apps below procurement import.
        worker_ready.connect(sealing_keys_checked, dispatch_uid="procurement.sealing_keys")
