from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Kontrak dan serah terima")

    def ready(self) -> None:
        from contracts import receivers
        from procurement.signals import package_contracted

        # Procurement tells, contracts listens (procurement never imports contracts): the
        # contract and its lines are written in the transaction that records the contract.
        package_contracted.connect(
            receivers.contract_from_package, dispatch_uid="contracts.contract_from_package"
        )
