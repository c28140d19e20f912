from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Pengadaan")

    def ready(self) -> None:
        from procurement import checks  # noqa: F401 (registers the sealing key check)
