"""Which tables each topic covers. A write to any of them, by any path (the ORM, a bulk
update, the admin, raw SQL), moves the topic's version on at commit: a database trigger
does it, so no code path can forget."""

CATALOGUE = "catalogue"  # vendors, their products and certificates
PROCUREMENT = "procurement"  # OPDs, packages, their items and bids
MATCHING = "matching"  # business-matching events, participants, meetings, outcomes
PEOPLE = "people"  # users: names shown beside what they did

TABLES = {
    CATALOGUE: (
        "vendors_vendor",
        "vendors_product",
        "vendors_tkdncertificate",
        "vendors_tkdncertificate_products",
        "vendors_halalcertificate",
        "vendors_halalcertificate_products",
        "vendors_halalassistance",
    ),
    PROCUREMENT: (
        "procurement_opd",
        "procurement_package",
        "procurement_packageitem",
        "procurement_bid",
        "procurement_packageevent",
        "procurement_objection",
        "procurement_evaluationrun",
    ),
    MATCHING: (
        "matching_event",
        "matching_participant",
        "matching_meeting",
        "matching_outcome",
    ),
    PEOPLE: ("accounts_user",),
}
