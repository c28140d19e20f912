"""Simple forms written without crispy's templates (`|bootstrap_form`) give the same HTML as
crispy's `|crispy`: labels, required marks, classes, help texts, errors and their ARIA
attributes; any other form is crispy's own."""

import pytest
from django import forms
from django.template import engines
from django.test.html import parse_html
from django.utils import translation

from accounts.forms import ProfileForm
from p3dn_portal.lib import form_html

CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
OURS = engines["django"].from_string("{% load p3dn %}{{ form|bootstrap_form }}")


class Mixed(forms.Form):
    """Every simple widget, with help texts, own classes and attributes, a hidden field and
    a check across fields."""

    name = forms.CharField(label="Nama", max_length=20, help_text="Nama <em>usaha</em>")
    email = forms.EmailField(label="Email", required=False)
    count = forms.IntegerField(label="Jumlah", min_value=1)
    site = forms.URLField(label="Situs", required=False, assume_scheme="https")
    secret = forms.CharField(label="Sandi", widget=forms.PasswordInput)
    day = forms.DateField(label="Tanggal", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="Catatan", widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"})
    )
    kind = forms.ChoiceField(label="Jenis", choices=[("a", "A & B"), ("b", "<B>")])
    many = forms.MultipleChoiceField(label="Banyak", choices=[("x", "X"), ("y", "Y")])
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)

    def clean(self):
        raise forms.ValidationError("Data tidak <cocok>.")


class WithCheckbox(forms.Form):
    name = forms.CharField(label="Nama")
    agreed = forms.BooleanField(label="Setuju")


def _both(form: forms.BaseForm) -> tuple[str, str]:
    return CRISPY.render({"form": form}), OURS.render({"form": form})


@pytest.mark.parametrize(
    "form",
    [
        lambda: Mixed(),
        lambda: Mixed({"name": "x" * 30, "count": "0", "kind": "z", "site": "bukan url"}),
        lambda: Mixed(
            {
                "name": "Batik",
                "count": "2",
                "secret": "s",
                "day": "2026-12-07",
                "note": "n",
                "kind": "a",
                "many": ["x"],
            }
        ),
        lambda: Mixed(auto_id=False),
        lambda: Mixed(prefix="kedua"),
    ],
    ids=["unbound", "errors", "valid-but-form-error", "no-ids", "prefix"],
)
def test_simple_forms_are_written_as_crispy_writes_them(form):
    form = form()
    form.is_bound and form.is_valid()
    assert form_html.is_simple(form)
    crispy, ours = _both(form)
    assert ours.count('class="mb-3') == len(form.fields) - 1  # all but the hidden one
    assert parse_html(ours) == parse_html(crispy)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_profile_form_is_the_same_in_both_languages(vendor_owner, language):
    with translation.override(language):
        for form in (
            ProfileForm(instance=vendor_owner),
            ProfileForm(
                {"full_name": "", "phone": "9" * 40, "language": "xx"}, instance=vendor_owner
            ),
        ):
            form.is_bound and form.is_valid()
            crispy, ours = _both(form)
            assert parse_html(ours) == parse_html(crispy)
            assert 'class="form-label requiredField"' in ours


def test_a_form_with_other_widgets_goes_to_crispy():
    form = WithCheckbox({"name": ""})
    form.is_valid()
    assert not form_html.is_simple(form)
    crispy, ours = _both(form)
    assert ours == crispy
    assert "form-check-input" in ours


CRISPY_FIELD = engines["django"].from_string(
    "{% load crispy_forms_tags %}{% for field in form %}{{ field|as_crispy_field }}{% endfor %}"
)
OUR_FIELD = engines["django"].from_string(
    "{% load p3dn %}{% for field in form %}{{ field|bootstrap_field }}{% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "data",
    [None, {"year": "abad", "opd": "999999", "category": "x", "quarter": "5"}],
    ids=["unbound", "errors"],
)
def test_fields_are_written_as_crispy_writes_them_one_by_one(language, data):
    """`|bootstrap_field` on the dashboard's filters (numbers and selects, bad input too) and
    on the BAST's form (a date, selects and a text area) gives `|as_crispy_field`'s HTML."""
    from contracts.forms import HandoverForm
    from dashboards.forms import FilterForm

    with translation.override(language):
        for form in (FilterForm(data), HandoverForm(data and {"signed_on": "kemarin"})):
            form.is_bound and form.is_valid()
            crispy = CRISPY_FIELD.render({"form": form})
            ours = OUR_FIELD.render({"form": form})
            assert parse_html(ours) == parse_html(crispy)
            if data:
                assert "invalid-feedback" in ours


def test_a_field_with_another_widget_goes_to_crispy():
    form = WithCheckbox({"name": ""})
    form.is_valid()
    assert not form_html.is_simple_field(form.fields["agreed"])
    ours = engines["django"].from_string("{% load p3dn %}{{ form.agreed|bootstrap_field }}")
    crispy = engines["django"].from_string(
        "{% load crispy_forms_tags %}{{ form.agreed|as_crispy_field }}"
    )
    assert ours.render({"form": form}) == crispy.render({"form": form})
    assert "form-check-input" in crispy.render({"form": form})
