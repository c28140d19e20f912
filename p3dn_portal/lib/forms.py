"""What every form of the portal shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def example(value: str) -> Promise:
    """A placeholder that reads as an example ("contoh: 10792"), never as a value already
    filled in or a filter already applied (tests/test_placeholders.py)."""
    return format_lazy(_("contoh: {value}"), value=value)


def error_text(error: ValidationError) -> str:
    """A ValidationError's messages as one sentence, for a flash message."""
    return " ".join(str(message) for message in error.messages)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError onto the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ServiceErrorsMixin:
    """`form.add_service_error(error)` for forms whose data a service checks again."""

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error)
