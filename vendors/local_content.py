"""A product's effective local content: what its verified, unexpired TKDN certificate says;
without one it counts as 0 TKDN (tier T4)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vendors import rules
from vendors.models import Product, TKDNCertificate
from vendors.rules import Tier


@dataclass(frozen=True)
class LocalContent:
    tkdn_pct: Decimal
    bmp_pct: Decimal
    tier: Tier
    certificate: TKDNCertificate | None


NONE = LocalContent(Decimal("0"), Decimal("0"), Tier.T4, None)


def effective_local_content(product: Product, *, on: date) -> LocalContent:
    """Uses the `valid_tkdn` list that selectors.products_with_local_content prefetches; the
    newest valid certificate counts."""
    certificates = getattr(product, "valid_tkdn", None)
    if certificates is None:
        certificates = list(
            product.tkdn_certificates.filter(status="verified", expires_on__gte=on).order_by(
                "-issued_on", "-pk"
            )
        )
    if not certificates:
        return NONE
    best = certificates[0]
    return LocalContent(
        best.tkdn_pct, best.bmp_pct, rules.tkdn_tier(best.tkdn_pct, best.bmp_pct), best
    )
