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


@pytest.mark.parametrize("message", _messages(), ids=lambda m: str(m.id)[:40])
def test_every_message_is_translated_and_keeps_its_placeholders(message):
    assert message.string, "untranslated"
    assert not message.fuzzy, "marked fuzzy: review it and remove the flag"
    assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string))
