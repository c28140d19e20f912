"""The contract copied from a contracted package's winning bid: one function for the
receiver of procurement's signal and for the data migration (which passes its historical
models), so that both write the same rows."""

from decimal import Decimal

from vendors.rules import is_umk


def copy_contract(package, *, contract_model, line_model, bid_line_model):
    """Write the Contract of `package` (status Berkontrak, its winner set) and one line per
    line of the winning bid, at the document's volume (the arithmetic correction) and the
    offered unit price. Returns the existing contract when there is one."""
    existing = contract_model.objects.filter(package_id=package.pk).first()
    if existing is not None:
        return existing
    winner = package.winner
    contract = contract_model.objects.create(
        package_id=package.pk,
        opd_id=package.opd_id,
        vendor_id=winner.vendor_id,
        number=package.contract_number,
        signed_on=package.contract_signed_on,
        value=package.contract_value if package.contract_value is not None else winner.price,
        offered_tkdn_pct=winner.tkdn_pct if winner.tkdn_pct is not None else Decimal("0"),
        offered_tkdn_bmp_pct=(
            winner.tkdn_bmp_pct if winner.tkdn_bmp_pct is not None else Decimal("0")
        ),
        vendor_small_business=is_umk(winner.vendor.scale),
    )
    bid_lines = (
        bid_line_model.objects.filter(bid_id=winner.pk)
        .select_related("item")
        .order_by("item__position", "pk")
    )
    line_model.objects.bulk_create(
        line_model(
            contract=contract,
            position=line.item.position,
            item_id=line.item_id,
            product_id=line.product_id,
            description=line.item.description,
            product_name=line.product_name,
            unit=line.item.unit,
            quantity=line.item.quantity,
            unit_price=line.unit_price,
            offered_tkdn_pct=line.tkdn_pct,
            offered_bmp_pct=line.bmp_pct,
            certificate_number=line.certificate_number,
            certificate_expires_on=line.certificate_expires_on,
        )
        for line in bid_lines
    )
    return contract
