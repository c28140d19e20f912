"""The English catalogue is complete: every string the code and templates mark for
translation is in it (extracted afresh, the way `makemessages` does, into a temporary
catalogue), and every Indonesian source string has a translation that keeps its
placeholders."""

import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# makemessages' --ignore list (README), and what is never source.
IGNORED = {".venv", "node_modules", "build", "media", "test-artifacts", "staticfiles", "locale"}
# The keywords makemessages passes to xgettext, in Babel's notation.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# %s, %d, %(name)s, %(name)d and {name}; a literal %% is no placeholder.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]|\{\w+\}")


def _python_source(path: Path) -> str:
    if path.suffix == ".py":
        return path.read_text()
    # A template as makemessages sees it: Django's templatize turns its {% translate %} and
    # {% blocktranslate %} into gettext calls; the lines are dedented for Python's tokenizer.
    marked = templatize(path.read_text(), origin=str(path))
    return "\n".join(line.lstrip() for line in marked.splitlines())


def extract_catalogue(root: Path, output: Path) -> Path:
    """Every marked string under root, written to a new catalogue at output."""
    catalogue = Catalog(locale="en", domain="django")
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in IGNORED and not f.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix not in {".py", ".html", ".txt"}:
                continue
            source = io.BytesIO(_python_source(path).encode())
            for lineno, message, _, context in extract("python", source, keywords=KEYWORDS):
                where = (str(path.relative_to(root)), lineno)
                catalogue.add(message, locations=[where], context=context)
    with output.open("wb") as handle:
        write_po(handle, catalogue)
    return output


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message) -> tuple:
    return (message.context, message.id)


def missing_from(catalogue: Catalog, extracted: Catalog) -> list[str]:
    known = {_key(m) for m in catalogue if m.id}
    return [
        f"{m.locations[0][0]}:{m.locations[0][1]}: {m.id!r}"
        for m in extracted
        if m.id and _key(m) not in known
    ]


def _messages():
    return [m for m in _read(CATALOGUE) if m.id]


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """Singular and plural forms of a plural entry; the one form of any other."""
    return value if isinstance(value, tuple) else (value,)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def placeholder_mismatches(message) -> list[str]:
    ids, strings = _forms(message.id), _forms(message.string)
    problems = []
    for index, string in enumerate(strings):
        source = ids[min(index, len(ids) - 1)]
        if _placeholders(source) != _placeholders(string):
            problems.append(f"{_placeholders(source)} became {_placeholders(string)}")
    return problems


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    extracted = _read(extract_catalogue(ROOT, tmp_path / "django.po"))
    assert len(extracted) > 1000  # the extraction reached the code and the templates
    missing = missing_from(_read(CATALOGUE), extracted)
    assert not missing, (
        "Not in locale/en/LC_MESSAGES/django.po (run makemessages and translate):\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize("message", _messages(), ids=lambda m: str(_forms(m.id)[0])[:40])
def test_every_message_is_translated_and_keeps_its_placeholders(message):
    assert all(_forms(message.string)), "untranslated"
    assert not message.fuzzy, "marked fuzzy: review it and remove the flag"
    assert placeholder_mismatches(message) == []


# The checks themselves ---------------------------------------------------------------------


def test_a_string_nobody_extracted_is_found(tmp_path):
    app = tmp_path / "app"
    (app / "templates").mkdir(parents=True)
    (app / "views.py").write_text(
        "from django.utils.translation import gettext as _\n"
        "MESSAGE = _('Paket diumumkan')\n"
        "PLANTED = _('Kalimat baru yang belum diterjemahkan.')\n"
    )
    (app / "templates" / "page.html").write_text(
        "{% load i18n %}\n  <p>{% translate 'Sebelumnya' %}</p>\n"
        "  {% blocktranslate trimmed %}\n    Templat baru {{ x }}\n  {% endblocktranslate %}\n"
    )
    extracted = _read(extract_catalogue(app, tmp_path / "django.po"))
    assert missing_from(_read(CATALOGUE), extracted) == [
        "views.py:3: 'Kalimat baru yang belum diterjemahkan.'",
        "templates/page.html:3: 'Templat baru %(x)s'",
    ]


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("%s penawaran", "bids"),
        ("%d paket", "%s packages"),
        ("%(count)d peserta", "%(count)s participants"),
        ("Paket %(title)s", "Package"),
        ("{item} belum diisi", "not filled in"),
    ],
)
def test_a_lost_or_changed_placeholder_is_found(source, translation):
    catalogue = Catalog(locale="en")
    catalogue.add(source, translation)
    assert placeholder_mismatches(catalogue[source]) != []
    catalogue[source].string = source
    assert placeholder_mismatches(catalogue[source]) == []
