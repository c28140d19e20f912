"""The English catalogue is complete: every Indonesian source string has a translation that
keeps its placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _messages():
    with CATALOGUE.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """Singular and plural forms of a plural entry; the one form of any other."""
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("message", _messages(), ids=lambda m: str(_forms(m.id)[0])[:40])
def test_every_message_is_translated_and_keeps_its_placeholders(message):
    ids, strings = _forms(message.id), _forms(message.string)
    assert all(strings), "untranslated"
    assert not message.fuzzy, "marked fuzzy: review it and remove the flag"
    for index, string in enumerate(strings):
        source = ids[min(index, len(ids) - 1)]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(string))
