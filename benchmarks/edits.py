"""The catalogue as it changes all day: while the directory is measured, a vendor edits one
of its products every second (its price and description), through the ORM as the portal's
own product form would, so every trigger and data version moves as in production."""

import random
import threading
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

EVERY_SECONDS = 1.0


def _edit(rng: random.Random, top: int) -> None:
    from vendors.models import Product

    with transaction.atomic():
        Product.objects.filter(pk=rng.randrange(1, top + 1)).update(
            unit_price=F("unit_price") + 1,
            description=Concat(F("description"), Value(" ")),
        )


@contextmanager
def catalogue_edits():
    """A product edited every second until the block ends; yields a list the number of
    edits made is appended to at the end."""
    from vendors.models import Product

    top = Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    stop, made = threading.Event(), []

    def run() -> None:
        rng, count = random.Random(), 0
        try:
            while not stop.wait(EVERY_SECONDS):
                _edit(rng, top)
                count += 1
        finally:
            connection.close()
            made.append(count)

    thread = threading.Thread(target=run, name="catalogue-edits", daemon=True)
    thread.start()
    try:
        yield made
    finally:
        stop.set()
        thread.join(timeout=30)
