"""Open Contracting Data Standard (OCDS 1.1) releases of the portal's packages.

One contracting process per package (ocid = OCDS_PREFIX + "pkt-" + the package id), and
one release per stage the package has reached: `tender` (announcement), `tenderUpdate`
(bids closed and opened, or the tender cancelled / failed), `award` (winner announced) and
`contract` (contract signed). Bids appear only once opened: a bid of a package still in a
sealed state, or one never opened, is never read here, so neither its price nor its bidder
can leak. Local content (TKDN, BMP, certificate numbers) goes through our own extension
(docs/ocds-extension/)."""

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

import ocdsmerge
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from procurement import selectors
from procurement.models import (
    Bid,
    BidLine,
    BidStatus,
    EvaluationResult,
    Package,
    PackageEvent,
    RunStatus,
)
from procurement.rules import SEALED_STATES, Action, Category, Method, Status

OCDS_VERSION = "1.1"
PUBLISHER_NAME = "Dinas PPKUKM Provinsi DKI Jakarta — P3DN Portal"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
BID_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json"
)
# The parties' `details.scale` (micro, sme, large) comes from this official extension.
PARTY_SCALE_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/v1.1.5/extension.json"
)
CURRENCY = "IDR"
JAKARTA = ZoneInfo("Asia/Jakarta")
CHUNK_SIZE = 500

# Perpres 16/2018 methods against the OCDS method codelist: tenders are open to all;
# e-purchasing and direct procurement buy from a limited set; direct appointment is direct.
PROCUREMENT_METHOD = {
    Method.TENDER: "open",
    Method.QUICK_TENDER: "open",
    Method.E_PURCHASING: "limited",
    Method.DIRECT_PROCUREMENT: "limited",
    Method.DIRECT_APPOINTMENT: "direct",
}
MAIN_CATEGORY = {
    Category.GOODS: "goods",
    Category.CONSTRUCTION: "works",
    Category.CONSULTANCY: "services",
    Category.OTHER_SERVICES: "services",
}
TENDER_STATUS = {
    Status.ANNOUNCED: "active",
    Status.CLOSED: "active",
    Status.EVALUATION: "active",
    Status.OBJECTION: "active",
    Status.AWARDED: "complete",
    Status.CONTRACTED: "complete",
    Status.CANCELLED: "cancelled",
    Status.FAILED: "unsuccessful",
}
# OCDS partyScale: "sme" covers small and medium; micro stands apart.
PARTY_SCALE = {"mikro": "micro", "kecil": "sme", "menengah": "sme", "besar": "large"}


def ocid(package: Package) -> str:
    return f"{settings.OCDS_PREFIX}pkt-{package.pk}"


def extension_url() -> str:
    return settings.SITE_URL + reverse("opendata:extension", args=["extension.json"])


# Queries ----------------------------------------------------------------------------------


# Prefetched into lists (to_attr): a prefetch into a related manager clones a queryset for
# each of the tens of thousands of rows (half of the export's time at 60,000 packages).
PREFETCHED = "ocds_{}"


def _prefetched(instance: Package | Bid, relation: str) -> Iterable:
    """The rows of `relation` published_packages() prefetched, else read now."""
    rows = getattr(instance, PREFETCHED.format(relation), None)
    return getattr(instance, relation).all() if rows is None else rows


def published_packages(*, year: int | None = None) -> QuerySet[Package]:
    """Every package once announced (drafts, also those cancelled unannounced, are the OPD's
    alone), with all a release needs: six queries per chunk (packages, items, events, opened
    bids, their lines, their evaluation results) whatever the number of packages."""
    packages = Package.objects.exclude(selectors.unpublished())
    if year is not None:
        packages = packages.filter(fiscal_year=year)
    # Only opened bids are ever fetched, and only of packages no longer sealed (the
    # package status is checked again in Python, below, for a package held in memory).
    opened_bids = (
        Bid.objects.filter(status=BidStatus.ACTIVE, opened_at__isnull=False)
        .exclude(package__status__in=SEALED_STATES)
        .select_related("vendor")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BidLine.objects.order_by("item__position", "pk"),
                to_attr=PREFETCHED.format("lines"),
            ),
            # The latest successful evaluation decides whether a bid was valid.
            Prefetch(
                "results",
                queryset=EvaluationResult.objects.filter(run__status=RunStatus.SUCCEEDED)
                .only("bid_id", "eligible")
                .order_by("-run__created_at", "-run_id"),
                to_attr=PREFETCHED.format("results"),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    return (
        packages.select_related("opd")
        .prefetch_related(
            Prefetch("items", to_attr=PREFETCHED.format("items")),
            Prefetch(
                "events",
                queryset=PackageEvent.objects.order_by("at", "pk"),
                to_attr=PREFETCHED.format("events"),
            ),
            Prefetch("bids", queryset=opened_bids, to_attr="opened_bids"),
        )
        .order_by("fiscal_year", "pk")
    )


# Building blocks ----------------------------------------------------------------------------


def number(value: Decimal | None) -> int | float | None:
    """A JSON number: integers stay integers (Rupiah amounts are whole), else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def money(amount: Decimal | None) -> dict:
    return {"amount": number(amount), "currency": CURRENCY}


def iso(moment: datetime | date | None) -> str | None:
    """ISO 8601 with the offset, in Jakarta time; a bare date is taken as its start in WIB."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min, tzinfo=JAKARTA)
    return timezone.localtime(moment, JAKARTA).isoformat()


def _opd_party_id(package: Package) -> str:
    return f"opd-{package.opd_id}"


def _vendor_party_id(vendor) -> str:
    return f"penyedia-{vendor.pk}"


def _vendor_party(vendor, roles: list[str]) -> dict:
    return {
        "id": _vendor_party_id(vendor),
        "name": vendor.name,
        "identifier": {"scheme": "ID-NIB", "id": vendor.nib, "legalName": vendor.name},
        "address": {
            "streetAddress": vendor.address,
            "locality": vendor.city,
            "region": vendor.province,
            "countryName": "Indonesia",
        },
        "roles": roles,
        "details": {"scale": PARTY_SCALE[vendor.scale]},
    }


def _opd_party(package: Package) -> dict:
    return {
        "id": _opd_party_id(package),
        "name": package.opd.name,
        "identifier": {"scheme": "ID-OPD-DKI", "id": package.opd.code},
        "roles": ["buyer", "procuringEntity"],
    }


def _line_local_content(line: BidLine) -> dict:
    entry = {
        "relatedItem": f"item-{line.item_id}",
        "tkdnPercentage": number(line.tkdn_pct),
        "bmpPercentage": number(line.bmp_pct),
    }
    if line.certificate_number:
        entry["tkdnCertificateNumber"] = line.certificate_number
    return entry


def local_content(bid: Bid) -> dict:
    """The extension's object: the bid's price-weighted TKDN and TKDN + BMP, and the
    certificate behind each line."""
    return {
        "tkdnPercentage": number(bid.tkdn_pct),
        "bmpPercentage": number(bid.bmp_pct),
        "tkdnBmpPercentage": number(bid.tkdn_bmp_pct),
        "lines": [_line_local_content(line) for line in _prefetched(bid, "lines")],
    }


def _bid_status(bid: Bid) -> str:
    """OCDS bidStatus: as the latest successful evaluation found it, else not yet known."""
    results = list(_prefetched(bid, "results"))
    if not results:
        return "pending"
    return "valid" if results[0].eligible else "disqualified"


def _bid_id(bid: Bid) -> str:
    return f"penawaran-{bid.pk}"


def _event_at(package: Package, *actions: str) -> datetime | None:
    """When the latest of these transitions happened (events are prefetched in order)."""
    moments = [event.at for event in _prefetched(package, "events") if event.action in actions]
    return moments[-1] if moments else None


def _visible_bids(package: Package) -> list[Bid]:
    """Opened bids, and only for a package out of its sealed states: a second guard, so
    that a package object whose status changed in memory cannot publish them."""
    if package.status in SEALED_STATES:
        return []
    return [bid for bid in getattr(package, "opened_bids", []) if bid.opened_at is not None]


def _tender(package: Package) -> dict:
    tender = {
        "id": f"rup-{package.rup_code}-{package.fiscal_year}",
        "title": package.title,
        "status": "active",
        "items": [
            {
                "id": f"item-{item.pk}",
                "description": item.description,
                "quantity": number(item.quantity),
                "unit": {
                    "name": item.unit,
                    "value": money(item.hps_unit_price),
                },
                **(
                    {
                        "classification": {
                            "scheme": "KBLI",
                            "id": item.kbli,
                            "description": "KBLI 2020",
                        }
                    }
                    if item.kbli
                    else {}
                ),
            }
            for item in _prefetched(package, "items")
        ],
        "value": money(package.hps),
        "procurementMethod": PROCUREMENT_METHOD[Method(package.method)],
        "procurementMethodDetails": str(Method(package.method).label),
        "mainProcurementCategory": MAIN_CATEGORY[Category(package.category)],
        "tenderPeriod": {"startDate": iso(package.opens_at), "endDate": iso(package.closes_at)},
        "procuringEntity": {"id": _opd_party_id(package), "name": package.opd.name},
        "localContentRequirements": {
            "domesticProductsRequired": package.pdn,
            "minimumTkdnPercentage": number(package.min_tkdn_pct),
            "reservedForSmallBusiness": package.reserved_for_small_business,
        },
    }
    if package.description:
        tender["description"] = package.description
    return tender


def _release(package: Package, stage: str, tag: str, at: datetime, **sections: Any) -> dict:
    return {
        "ocid": ocid(package),
        "id": f"{ocid(package)}-{stage}",
        "date": iso(at),
        "tag": [tag],
        "initiationType": "tender",
        "language": "id",
        **sections,
    }


def package_releases(package: Package, implementation=None) -> list[dict]:
    """The releases of one package (from `published_packages()`), oldest first;
    `implementation` is its contract's values (opendata.ocds_implementation.contract_values)
    once delivered, handed over or paid."""
    if package.status == Status.DRAFT:
        return []
    buyer = {"id": _opd_party_id(package), "name": package.opd.name}
    announced_at = _event_at(package, Action.ANNOUNCE) or package.opens_at
    releases = [
        _release(
            package,
            "tender",
            "tender",
            announced_at,
            parties=[_opd_party(package)],
            buyer=buyer,
            tender=_tender(package),
        )
    ]
    if package.status == Status.ANNOUNCED:
        return releases

    bids = _visible_bids(package)
    # The update shows the tender as it is now (status, bids as evaluated): dated by the
    # latest transition, and with an id per status, so that a release never changes.
    updated_at = _event_at(package, *Action.values) or package.closes_at
    update: dict[str, Any] = {
        "parties": [_opd_party(package)]
        + [_vendor_party(bid.vendor, ["tenderer"]) for bid in bids],
        "buyer": buyer,
        "tender": {
            "id": releases[0]["tender"]["id"],
            "status": TENDER_STATUS[Status(package.status)],
        },
    }
    if bids:
        update["tender"]["numberOfTenderers"] = len(bids)
        update["tender"]["tenderers"] = [
            {"id": _vendor_party_id(bid.vendor), "name": bid.vendor.name} for bid in bids
        ]
        update["bids"] = {
            "statistics": [{"id": "jumlah-penawaran", "measure": "bids", "value": len(bids)}],
            "details": [
                {
                    "id": _bid_id(bid),
                    "date": iso(bid.submitted_at),
                    "status": _bid_status(bid),
                    "tenderers": [{"id": _vendor_party_id(bid.vendor), "name": bid.vendor.name}],
                    "value": money(bid.price),
                    "localContent": local_content(bid),
                }
                for bid in bids
            ],
        }
    if package.status in (Status.CANCELLED, Status.FAILED) and package.cancel_reason:
        update["tender"]["statusDetails"] = package.cancel_reason
    releases.append(
        _release(package, f"update-{package.status}", "tenderUpdate", updated_at, **update)
    )

    winner = next((bid for bid in bids if bid.pk == package.winner_id), None)
    if winner is None:
        return releases
    award_id = f"{ocid(package)}-award"
    awarded = package.status in (Status.AWARDED, Status.CONTRACTED)
    award_status = "active" if awarded else "pending"
    if package.status == Status.CANCELLED:  # cancelled during the objection period
        award_status = "cancelled"
    award_action = {"active": Action.AWARD, "cancelled": Action.CANCEL}.get(
        award_status, Action.ANNOUNCE_WINNER
    )
    award_at = _event_at(package, award_action)
    supplier = {"id": _vendor_party_id(winner.vendor), "name": winner.vendor.name}
    releases.append(
        _release(
            package,
            f"award-{award_status}",
            "award",
            award_at or package.closes_at,
            parties=[
                _opd_party(package),
                _vendor_party(winner.vendor, ["tenderer", "supplier"]),
            ],
            buyer=buyer,
            awards=[
                {
                    "id": award_id,
                    "title": package.title,
                    "status": award_status,
                    "date": iso(award_at),
                    "value": money(winner.price),
                    "suppliers": [supplier],
                    "relatedBids": [_bid_id(winner)],
                    "localContent": local_content(winner),
                }
            ],
        )
    )
    if package.status == Status.CONTRACTED:
        contracted_at = _event_at(package, Action.CONTRACT) or package.closes_at
        releases.append(
            _release(
                package,
                "contract",
                "contract",
                contracted_at,
                buyer=buyer,
                contracts=[
                    {
                        "id": package.contract_number or f"{ocid(package)}-contract",
                        "awardID": award_id,
                        "title": package.title,
                        "status": "active",
                        "value": money(package.contract_value),
                        "dateSigned": iso(package.contract_signed_on),
                        "relatedBids": [_bid_id(winner)],
                    }
                ],
            )
        )
        if implementation is not None and implementation.has_steps:
            releases.append(
                _implementation_release(package, implementation, buyer=buyer, award_id=award_id)
            )
    return releases


def _implementation_release(package: Package, values, *, buyer: dict, award_id: str) -> dict:
    """The contract as delivered, handed over and paid (opendata.ocds_implementation)."""
    from opendata import ocds_implementation as impl

    contract = {
        "id": package.contract_number or f"{ocid(package)}-contract",
        "awardID": award_id,
        "status": impl.contract_status(values),
        "implementation": impl.implementation(
            values, buyer=buyer, iso=iso, money=money, number=number, ocid=ocid(package)
        ),
    }
    achieved = impl.achieved_local_content(values, number)
    if achieved is not None:
        contract["achievedLocalContent"] = achieved
    return _release(
        package,
        impl.release_stage(values),
        "implementation",
        impl.latest_step(
            values, not_before=_event_at(package, Action.CONTRACT) or package.closes_at
        ),
        buyer=buyer,
        contracts=[contract],
    )


# Packages -----------------------------------------------------------------------------------


def package_metadata(*, uri: str, published_at: datetime | None = None) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [BID_EXTENSION_URL, PARTY_SCALE_EXTENSION_URL, extension_url()],
        "publishedDate": iso(published_at or timezone.now()),
        "publisher": {"name": PUBLISHER_NAME, "uri": settings.SITE_URL + "/"},
        "license": LICENSE_URL,
        "publicationPolicy": settings.SITE_URL + reverse("opendata:index"),
    }


def releases_of(packages: Iterable[Package], chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """Releases package by package; each chunk's contracts are read at once (four queries)."""
    from opendata.ocds_implementation import contract_values

    chunk: list[Package] = []

    def flush() -> Iterator[dict]:
        contracted = [p.pk for p in chunk if p.status == Status.CONTRACTED]
        values = contract_values(contracted)
        for package in chunk:
            yield from package_releases(package, values.get(package.pk))
        chunk.clear()

    for package in packages:
        chunk.append(package)
        if len(chunk) >= chunk_size:
            yield from flush()
    yield from flush()


def release_package(*, packages: Iterable[Package], uri: str) -> dict:
    """The whole release package as one dict (for one package or a small set)."""
    return {**package_metadata(uri=uri), "releases": list(releases_of(packages))}


# The OCDS 1.1.5 merge rules: what `ocdsmerge.get_merge_rules` reads from the release
# schema, which the portal does not ship (tests/opendata checks this copy against it).
WHOLE_LIST_MERGE = (
    ("awards", "amendment", "changes"),
    ("awards", "amendments", "changes"),
    ("awards", "items", "additionalClassifications"),
    ("awards", "suppliers", "additionalIdentifiers"),
    ("buyer", "additionalIdentifiers"),
    ("contracts", "amendment", "changes"),
    ("contracts", "amendments", "changes"),
    ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"),
    ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"),
    ("contracts", "items", "additionalClassifications"),
    ("contracts", "relatedProcesses", "relationship"),
    ("parties", "additionalIdentifiers"),
    ("parties", "roles"),
    ("relatedProcesses", "relationship"),
    ("tender", "additionalProcurementCategories"),
    ("tender", "amendment", "changes"),
    ("tender", "amendments", "changes"),
    ("tender", "items", "additionalClassifications"),
    ("tender", "procuringEntity", "additionalIdentifiers"),
    ("tender", "submissionMethod"),
    ("tender", "tenderers", "additionalIdentifiers"),
)
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("date",): "omitWhenMerged",
    ("id",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    **dict.fromkeys(WHOLE_LIST_MERGE, "wholeListMerge"),
}


def record_package(*, package: Package, uri: str) -> dict:
    """One contracting process as an OCDS record package: every release of the package,
    and the compiled release (its current state) merged by ocdsmerge."""
    from opendata.ocds_implementation import contract_values

    releases = package_releases(package, contract_values([package.pk]).get(package.pk))
    compiled = ocdsmerge.Merger(merge_rules=MERGE_RULES).create_compiled_release(releases)
    return {
        **package_metadata(uri=uri),
        "records": [{"ocid": ocid(package), "releases": releases, "compiledRelease": compiled}],
    }


def write_release_package(
    out: IO[str], *, uri: str, year: int | None = None, chunk_size: int = CHUNK_SIZE
) -> int:
    """Write the release package of every published package (of a fiscal year) to `out`,
    one release at a time; returns the number of releases written."""
    count = 0
    for text, is_release in _pieces(uri=uri, year=year, chunk_size=chunk_size):
        out.write(text)
        count += is_release
    return count


def stream_release_package(
    *, uri: str, year: int | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    """The release package as JSON text, one release per piece."""
    for text, _ in _pieces(uri=uri, year=year, chunk_size=chunk_size):
        yield text


def _pieces(*, uri: str, year: int | None, chunk_size: int) -> Iterator[tuple[str, bool]]:
    """Packages are read in chunks, each with its six queries, so memory stays flat however
    many there are; the JSON is written around the releases by hand for the same reason."""
    head = json.dumps(package_metadata(uri=uri), ensure_ascii=False, indent=2)
    yield head[: head.rindex("}")].rstrip() + ',\n  "releases": [\n', False
    packages = published_packages(year=year).iterator(chunk_size=chunk_size)
    for index, release in enumerate(releases_of(packages, chunk_size)):
        yield (",\n" if index else "") + json.dumps(release, ensure_ascii=False), True
    yield "\n  ]\n}\n", False
