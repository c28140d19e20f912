"""No placeholder looks like a value already typed or a filter already applied ("10792",
"25", "2025" in an empty field read as a KBLI, a TKDN or a year chosen): an example says
so ("contoh: 10792"), or the field stays empty under its label."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from matching.forms import CounterpartFilterForm, EventFilterForm, NeedForm
from tests.sources import matches
from vendors.directory import DirectoryFilterForm

# A value someone might have typed: digits, a code, a percentage, a year.
BARE_VALUE = re.compile(r"[\s\d.,%/+-]*\d[\s\d.,%/+-]*")
# A placeholder written as a plain literal in Python (not through example() or gettext), or
# as plain text in a template (not a {% translate %}).
LITERAL_IN_PYTHON = re.compile(r"""["']placeholder["']\s*:\s*["']""")
LITERAL_IN_TEMPLATE = re.compile(r"""placeholder=["'](?!\{%)""")


def test_no_form_field_has_a_bare_value_as_its_placeholder():
    found = []
    form_classes = [DirectoryFilterForm, EventFilterForm, NeedForm, CounterpartFilterForm]
    for language in ("id", "en"):
        with translation.override(language):
            for form_class in form_classes:
                for name, field in form_class.base_fields.items():
                    placeholder = str(field.widget.attrs.get("placeholder", ""))
                    if BARE_VALUE.fullmatch(placeholder):
                        found.append(f"{form_class.__name__}.{name}: {placeholder!r}")
    assert found == []


def test_examples_read_as_examples_in_both_languages():
    placeholder = DirectoryFilterForm.base_fields["kbli"].widget.attrs["placeholder"]
    with translation.override("id"):
        assert str(placeholder) == "contoh: 10792"
    with translation.override("en"):
        assert str(placeholder) == "e.g. 10792"


def test_no_placeholder_is_written_as_a_plain_literal():
    found = matches(LITERAL_IN_PYTHON, python=True) + matches(LITERAL_IN_TEMPLATE, python=False)
    assert found == [], "use p3dn_portal.lib.forms.example() or a translated text"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("vendors:directory"), reverse("matching:events")])
def test_the_pages_placeholders_are_examples_or_words(client, url):
    html = client.get(url).content.decode()
    placeholders = re.findall(r'placeholder="([^"]*)"', html)
    assert placeholders
    assert [p for p in placeholders if BARE_VALUE.fullmatch(p)] == []


def test_the_checks_see_a_bare_value():
    assert BARE_VALUE.fullmatch("10792") and BARE_VALUE.fullmatch("25,5%")
    assert not BARE_VALUE.fullmatch("contoh: 10792")
    assert LITERAL_IN_PYTHON.search('attrs={"placeholder": "2025"}')
    assert not LITERAL_IN_PYTHON.search('attrs={"placeholder": example("2025")}')
    assert LITERAL_IN_TEMPLATE.search('<input placeholder="25">')
    assert not LITERAL_IN_TEMPLATE.search("""<input placeholder="{% translate 'Cari' %}">""")
