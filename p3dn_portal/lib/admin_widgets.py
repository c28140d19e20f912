"""Admin autocomplete selects that survive an edited post.

Django's AutocompleteSelect looks the submitted ids up again to show the form with its errors;
an id that is no number for the key (`" "`, `"abc"`) made that lookup a server error instead
of the form's own "pilih yang valid" (found by tests/security/test_fuzz_endpoints.py)."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.forms import Field


class _ValidIdsOnly:
    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        opts = self.field.remote_field.model._meta
        key = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        valid = []
        for each in value:
            try:
                key.to_python(each)
            except (ValidationError, ValueError, TypeError):
                continue
            valid.append(each)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidIdsOnly, AutocompleteSelectMultiple):
    pass


_SAFE = {
    AutocompleteSelect: SafeAutocompleteSelect,
    AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple,
}


def _harden(formfield: Field | None) -> Field | None:
    if formfield is not None and type(formfield.widget) in _SAFE:
        formfield.widget.__class__ = _SAFE[type(formfield.widget)]
    return formfield


class SafeAutocompleteMixin:
    """For a ModelAdmin or an inline with `autocomplete_fields`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _harden(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _harden(super().formfield_for_manytomany(db_field, request, **kwargs))
