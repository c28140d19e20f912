"""The procurement cast (a goods package of one OPD, its PPK and pokja, two certified
bidders), shared with tests/procurement."""

from tests.procurement.conftest import (  # noqa: F401 (fixtures)
    announced,
    bidder,
    pokja,
    ppk,
    second_bidder,
)
