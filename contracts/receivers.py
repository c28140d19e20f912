"""What contracts does when procurement tells it something (procurement.signals)."""

from contracts import services


def contract_from_package(sender, *, package, by, **kwargs) -> None:
    """The package was contracted: write its contract and lines in the same transaction."""
    services.contract_create_from_package(package=package, by=by)
