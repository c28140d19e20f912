"""Who may open each page of Django admin: the Dinas PPKUKM admins (their group's
permissions only, ADMIN_GROUP_PERMISSIONS in accounts/services.py, listed in the README) and
a superuser. Written by hand, not read from the ModelAdmins under test: an admin that wrongly
allows a change or a delete fails the walks that use this table (tests/security)."""

# A model's admin pages, by their route after `admin/<app>/<model>/`.
LIST = ""
ADD = "add/"
OPEN = "<path:object_id>/"  # on to the change page (302), which checks
CHANGE = "<path:object_id>/change/"
DELETE = "<path:object_id>/delete/"
HISTORY = "<path:object_id>/history/"
VERSION = "^([^/]+)/history/([^/]+)/$"  # one past version (django-simple-history)
FILE = "<path:object_id>/berkas/"  # a certificate's file
PASSWORD = "<id>/password/"  # a user's password
XLSX = "unduh-xlsx/"  # the audit log as a workbook
CONFIG = "<int:pk>/config/"  # an authenticator's key: shown to nobody
QRCODE = "<int:pk>/qrcode/"

# The page -> the permissions of which one lets it be opened (none: nobody may, or the page
# only sends on). A page the table opens to the group needs one of them in the group.
PAGE_NEEDS: dict[str, frozenset[str]] = {
    LIST: frozenset({"view", "change"}),
    ADD: frozenset({"add"}),
    OPEN: frozenset(),
    CHANGE: frozenset({"view", "change"}),
    DELETE: frozenset({"delete"}),
    HISTORY: frozenset({"view", "change"}),
    VERSION: frozenset({"view", "change"}),
    FILE: frozenset({"view", "change"}),
    PASSWORD: frozenset({"change"}),
    XLSX: frozenset({"view", "change"}),
    CONFIG: frozenset(),
    QRCODE: frozenset(),
}

# (model, page) -> (status for a Dinas admin, status for a superuser). 403: refused. Where the
# group holds a permission and the page still says 403, the ModelAdmin refuses more than the
# permission (a sealed bid is never added, changed or deleted; an event is cancelled, not
# deleted); a superuser's 403 is such a page too.
ADMIN_PAGES: dict[str, dict[str, tuple[int, int]]] = {
    "accounts.outgoingmail": {
        LIST: (403, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (403, 200),
        DELETE: (403, 200),
        HISTORY: (403, 200),
    },
    "accounts.user": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
        PASSWORD: (200, 200),
    },
    "audit.auditentry": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        XLSX: (200, 200),
    },
    "auth.group": {
        LIST: (403, 200),
        ADD: (403, 200),
        OPEN: (302, 302),
        CHANGE: (403, 200),
        DELETE: (403, 200),
        HISTORY: (403, 200),
    },
    "axes.accessattempt": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (200, 200),
        HISTORY: (200, 200),
    },
    "axes.accessfailurelog": {
        LIST: (403, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (403, 200),
        DELETE: (403, 200),
        HISTORY: (403, 200),
    },
    "axes.accesslog": {
        LIST: (403, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (403, 200),
        DELETE: (403, 200),
        HISTORY: (403, 200),
    },
    "matching.checkin": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (200, 200),
        HISTORY: (200, 200),
    },
    "matching.event": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "matching.meeting": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "contracts.contract": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "contracts.contractflag": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "contracts.delivery": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "contracts.handover": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "contracts.invoice": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "contracts.rating": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "matching.outcome": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "matching.participant": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "matching.schedulerun": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "matching.suggestion": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "otp_totp.totpdevice": {
        LIST: (200, 200),
        ADD: (403, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (200, 200),
        HISTORY: (200, 200),
        CONFIG: (403, 403),
        QRCODE: (403, 403),
    },
    "procurement.bid": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "procurement.objection": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
    },
    "procurement.officer": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (200, 200),
        HISTORY: (200, 200),
    },
    "procurement.opd": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
    },
    "procurement.package": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "vendors.halalassistance": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "vendors.halalcertificate": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
        VERSION: (200, 200),
        FILE: (200, 200),
    },
    "vendors.invitation": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
    },
    "vendors.product": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "vendors.tkdncertificate": {
        LIST: (200, 200),
        ADD: (403, 403),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
        VERSION: (200, 200),
        FILE: (200, 200),
    },
    "vendors.vendor": {
        LIST: (200, 200),
        ADD: (200, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 403),
        HISTORY: (200, 200),
        VERSION: (200, 200),
    },
    "vendors.vendormember": {
        LIST: (200, 200),
        ADD: (403, 200),
        OPEN: (302, 302),
        CHANGE: (200, 200),
        DELETE: (403, 200),
        HISTORY: (200, 200),
    },
}

# The admin's index of one app: 404 for an app in which the role holds no permission.
ADMIN_APPS: dict[str, tuple[int, int]] = {
    "accounts": (200, 200),
    "audit": (200, 200),
    "auth": (404, 200),
    "axes": (200, 200),
    "contracts": (200, 200),
    "matching": (200, 200),
    "otp_totp": (200, 200),
    "procurement": (200, 200),
    "vendors": (200, 200),
}
