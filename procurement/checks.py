"""System checks run by `migrate` and `check --database default`: a key that sealed bids and
is no longer configured stops a deployment instead of a round of bids at its deadline."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from procurement import sealing_keys


@register(Tags.database)
def sealing_keys_cover_every_bid(app_configs=None, databases=None, **kwargs) -> list[Error]:
    if not databases or "default" not in databases:
        return []
    try:
        problem = sealing_keys.keys_check()
    except DatabaseError:
        return []  # before the bids table (or its key ids) exists: nothing is sealed yet
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Run `manage.py migrate --skip-checks` only once the key holders are found.",
            id="procurement.E001",
        )
    ]
