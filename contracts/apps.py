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

        from django.db.models.signals import post_delete, post_save

        from contracts import ratings
        from contracts.models import Rating

        # The vendor's averages (vendors.Vendor.rating_*) follow its ratings in the same
        # transaction, whichever service writes one.
        post_save.connect(ratings.rating_saved, sender=Rating, dispatch_uid="contracts.rating")
        post_delete.connect(
            ratings.rating_saved, sender=Rating, dispatch_uid="contracts.rating_deleted"
        )
