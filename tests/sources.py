"""Scanning the project's own source for a pattern: the tests that keep a class of mistake
out of every template or module (an ad-hoc date format, a bare placeholder) share it."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "audit",
    "dashboards",
    "freshness",
    "matching",
    "opendata",
    "p3dn_portal",
    "procurement",
    "seeding",
    "vendors",
)


def _files(python: bool) -> list[Path]:
    if python:
        return [
            path
            for app in APPS
            for path in sorted((ROOT / app).rglob("*.py"))
            if "migrations" not in path.parts
        ]
    return [p for p in sorted((ROOT / "templates").rglob("*")) if p.suffix in {".html", ".txt"}]


def matches(pattern: re.Pattern, *, python: bool) -> list[str]:
    """`path:line: text` for each match in the apps' modules (python) or the templates."""
    found = []
    for path in _files(python):
        text = path.read_text()
        for match in pattern.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    return found
