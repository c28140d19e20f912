"""Programme targets and the definitions the dashboard figures rest on (domain brief: every
OPD head has an 80% domestic-spending target; Perpres 12/2021 art. 65 sets at least 40% for
small businesses and cooperatives)."""

from decimal import Decimal

from procurement.rules import Status
from vendors.rules import BusinessScale

DOMESTIC_TARGET_PCT = Decimal("80")
SMALL_BUSINESS_TARGET_PCT = Decimal("40")

# "Usaha kecil" in procurement rules means mikro + kecil (UMK).
SMALL_SCALES = (BusinessScale.MIKRO, BusinessScale.KECIL)

# TKDN at or above this share is the "TKDN >= 25" tier of the must-buy-domestic rule.
TKDN_THRESHOLD_PCT = Decimal("25")

# A package counts as awarded once its winner is final (awarded or contracted).
AWARDED_STATES = (Status.AWARDED, Status.CONTRACTED)

# Planned value leaves out cancelled packages: they are no longer part of the plan.
EXCLUDED_FROM_PLAN = (Status.CANCELLED,)

# Certificates expiring within these many days are counted.
EXPIRY_WINDOWS = (30, 90)
