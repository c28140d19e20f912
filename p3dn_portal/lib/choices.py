"""get_FOO_display() that translates one label, not all of them, on each call."""

from functools import cache

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabels:
    """A model mixin. Django's get_FOO_display() hashes every choice of the field, which
    translates each lazy label, on every call: a list of 20 packages showing category and
    method translated some 400 labels. Here the value-to-label map is built once per field,
    and only the label shown is translated."""

    def _get_FIELD_display(self, field: models.Field) -> str:
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
