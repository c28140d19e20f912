"""Which tables each topic covers. A write to any of them, by any path (the ORM, a bulk
update, the admin, raw SQL), moves the topic's version on at commit: a database trigger
does it, so no code path can forget."""

CATALOGUE = "catalogue"  # vendors, their products and certificates
PROCUREMENT = "procurement"  # OPDs, packages, their items and bids
MATCHING = "matching"  # business-matching events, participants, meetings, outcomes
PEOPLE = "people"  # users: names shown beside what they did
CONTRACTS = "contracts"  # contracts, their BAST, invoices and payments
# The directory's searches: the vendors (their names, cities, scales, statuses and
# blacklistings: the directory marks a blacklisted vendor), and a
# statement writing more products than WORDS_AT_MOST at once (vendors migration 0006).
DIRECTORY = "directory"

# Keys within a topic (freshness.models.KeyVersion): each word (lexeme) of the catalogue moves
# on when a product whose text or whose vendor's name holds it is written, so a search is
# computed again only when a product it may find changed.
WORDS = "word"
WORDS_AT_MOST = 1000

TABLES = {
    CATALOGUE: (
        "vendors_vendor",
        "vendors_product",
        "vendors_tkdncertificate",
        "vendors_tkdncertificate_products",
        "vendors_halalcertificate",
        "vendors_halalcertificate_products",
        "vendors_halalassistance",
        "vendors_blacklisting",
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
    CONTRACTS: (
        "contracts_contract",
        "contracts_handover",
        "contracts_invoice",
        "contracts_payment",
    ),
    DIRECTORY: ("vendors_vendor", "vendors_blacklisting"),
}
