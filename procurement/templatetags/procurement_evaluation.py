"""Evaluation reasons, flags and corrections in the reader's language:
`{% load procurement_evaluation %}` then `{{ reason|reason }}`."""

from django import template

from procurement.reasons import reason_display

register = template.Library()


@register.filter
def reason(value: object) -> str:
    """A stored evaluation reason, flag or correction, worded in the active language."""
    return reason_display(value)
