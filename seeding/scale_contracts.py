"""The contracts of the bench's contracted packages, and what followed them: two in three
handed over (one in seven of those below the offered TKDN, and flagged), half of those
invoiced and paid, some late. Written in SQL from the rows already loaded (INSERT …
SELECT), so that the realisation funnel and the payment figures are measured at Jakarta
scale; each statement skips what is already there, so it also completes a bench database seeded
before contracts existed (whose contracts the contracts app's data migration wrote)."""

from django.db import connection

CONTRACTS = """
INSERT INTO contracts_contract (number, signed_on, value, offered_tkdn_pct,
    offered_tkdn_bmp_pct, vendor_small_business, status, created_at, opd_id, package_id,
    vendor_id)
SELECT p.contract_number, p.contract_signed_on, coalesce(p.contract_value, b.price),
    coalesce(b.tkdn_pct, 0), coalesce(b.tkdn_bmp_pct, 0), v.scale = ANY(%(umk)s), 'signed',
    p.contract_signed_on::timestamp AT TIME ZONE 'Asia/Jakarta', p.opd_id, p.id, b.vendor_id
FROM procurement_package p
JOIN procurement_bid b ON b.id = p.winner_id
JOIN vendors_vendor v ON v.id = b.vendor_id
WHERE p.status = 'contracted' AND p.contract_number <> '' AND p.contract_signed_on IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM contracts_contract c WHERE c.package_id = p.id)
"""

LINES = """
INSERT INTO contracts_contractline (position, description, product_name, unit, quantity,
    unit_price, offered_tkdn_pct, offered_bmp_pct, certificate_number,
    certificate_expires_on, contract_id, item_id, product_id)
SELECT i.position, i.description, l.product_name, i.unit, i.quantity, l.unit_price,
    l.tkdn_pct, l.bmp_pct, l.certificate_number, l.certificate_expires_on, c.id, l.item_id,
    l.product_id
FROM contracts_contract c
JOIN procurement_package p ON p.id = c.package_id
JOIN procurement_bidline l ON l.bid_id = p.winner_id
JOIN procurement_packageitem i ON i.id = l.item_id
WHERE NOT EXISTS (SELECT 1 FROM contracts_contractline x WHERE x.contract_id = c.id)
"""

# The PPK who signs: the OPD's first PPK.
_PPK = """(SELECT o.user_id FROM procurement_officer o
    WHERE o.opd_id = c.opd_id AND o.position = 'ppk' ORDER BY o.id LIMIT 1)"""

HANDOVERS = f"""
INSERT INTO contracts_handover (number, signed_on, signed_at, accepted_value,
    achieved_tkdn_pct, achieved_tkdn_bmp_pct, contract_id, signed_by_id)
SELECT 'BAST/' || o.code || '/' || extract(year FROM d.day) || '/' || lpad(c.id::text, 6, '0'),
    d.day, d.day + time '10:00' AT TIME ZONE 'Asia/Jakarta', c.value,
    CASE WHEN c.id %% 7 = 0 THEN greatest(c.offered_tkdn_pct - 5, 0) ELSE c.offered_tkdn_pct END,
    CASE WHEN c.id %% 7 = 0 THEN greatest(c.offered_tkdn_bmp_pct - 5, 0)
         ELSE c.offered_tkdn_bmp_pct END,
    c.id, {_PPK}
FROM contracts_contract c
JOIN procurement_opd o ON o.id = c.opd_id
CROSS JOIN LATERAL (SELECT least(c.signed_on + 20 + (c.id %% 40)::int, %(today)s::date) AS day) d
WHERE c.id %% 3 <> 0 AND c.signed_on + 20 <= %(today)s::date AND {_PPK} IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM contracts_handover h WHERE h.contract_id = c.id)
"""

INVOICES = f"""
INSERT INTO contracts_invoice (number, issued_on, amount, recorded_at, contract_id,
    recorded_by_id)
SELECT 'INV/' || lpad(c.id::text, 6, '0'), least(h.signed_on + 2, %(today)s::date), c.value,
    least(h.signed_on + 2, %(today)s::date) + time '11:00' AT TIME ZONE 'Asia/Jakarta', c.id,
    {_PPK}
FROM contracts_contract c
JOIN contracts_handover h ON h.contract_id = c.id
WHERE c.id %% 2 = 0 AND NOT EXISTS (SELECT 1 FROM contracts_invoice i WHERE i.contract_id = c.id)
"""

# Paid 0 to 34 days after the invoice (past the OPD's 15-day target for about half).
PAYMENTS = f"""
INSERT INTO contracts_payment (paid_on, amount, tax_withheld, recorded_at, invoice_id,
    recorded_by_id)
SELECT d.day, i.amount, round(i.amount * 0.015, 2), d.day + time '14:00' AT TIME ZONE
    'Asia/Jakarta', i.id, {_PPK}
FROM contracts_invoice i
JOIN contracts_contract c ON c.id = i.contract_id
CROSS JOIN LATERAL (SELECT least(i.issued_on + (c.id %% 35)::int, %(today)s::date) AS day) d
WHERE NOT EXISTS (SELECT 1 FROM contracts_payment p WHERE p.invoice_id = i.id)
"""

# The handovers below the offer, flagged as contracts.services flags them.
FLAGS = """
INSERT INTO contracts_contractflag (kind, shortfall_pct, shortfall_value, detail, raised_at,
    contract_id)
SELECT 'tkdn_shortfall', c.offered_tkdn_pct - h.achieved_tkdn_pct,
    round(h.accepted_value * (c.offered_tkdn_pct - h.achieved_tkdn_pct) / 100, 2), '{}',
    h.signed_at, c.id
FROM contracts_handover h
JOIN contracts_contract c ON c.id = h.contract_id
WHERE h.achieved_tkdn_pct < c.offered_tkdn_pct
  AND NOT EXISTS (SELECT 1 FROM contracts_contractflag f WHERE f.contract_id = c.id)
"""

STATUSES = """
UPDATE contracts_contract c SET status = CASE
    WHEN EXISTS (SELECT 1 FROM contracts_invoice i JOIN contracts_payment p ON p.invoice_id = i.id
                 WHERE i.contract_id = c.id) THEN 'paid'
    ELSE 'handed_over' END
WHERE EXISTS (SELECT 1 FROM contracts_handover h WHERE h.contract_id = c.id)
"""

STATEMENTS = {
    "contracts_contract": CONTRACTS,
    "contracts_contractline": LINES,
    "contracts_handover": HANDOVERS,
    "contracts_invoice": INVOICES,
    "contracts_payment": PAYMENTS,
    "contracts_contractflag": FLAGS,
}


def fill(*, today, umk_scales) -> dict[str, int]:
    """Write what is missing; the rows written per table."""
    written = {}
    params = {"today": today, "umk": list(umk_scales)}
    with connection.cursor() as cursor:
        for table, sql in STATEMENTS.items():
            cursor.execute(sql, params)
            written[table] = cursor.rowcount
        cursor.execute(STATUSES)
    return written
