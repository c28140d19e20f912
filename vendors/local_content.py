"""A product's effective local content on a day, for callers that hold the product and the
day apart (procurement reads it on the closing day). The rule is Product.local_content_on;
the value, rules.LocalContent."""

from datetime import date

from vendors.models import Product
from vendors.rules import LocalContent


def effective_local_content(product: Product, *, on: date) -> LocalContent:
    return product.local_content_on(on)
