"""Display formatting shared by every app: `{% load p3dn %}`."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.utils.text import capfirst

from p3dn_portal.lib import form_html, formatting
from p3dn_portal.lib.fragments import navbar_html

register = template.Library()

register.filter("rupiah", formatting.rupiah)
register.filter("percent", formatting.percent)
register.filter("jakarta", formatting.jakarta)
register.filter("jakarta_seconds", formatting.jakarta_seconds)
register.filter("day", formatting.day)
register.filter("quantity", formatting.quantity)


@register.filter
def verbose_name(instance: object) -> str:
    """The model's name of an object, capitalised: `Sertifikat TKDN`."""
    return capfirst(instance._meta.verbose_name)


@register.filter
def bootstrap_form(value: forms.BaseForm) -> str:
    """`{{ form|bootstrap_form }}`: the form as crispy's `|crispy` renders it, written directly when
    all its fields are simple (p3dn_portal.lib.form_html), through crispy otherwise."""
    if isinstance(value, forms.BaseForm) and form_html.is_simple(value):
        return form_html.form_html(value)
    return as_crispy_form(value)


@register.filter
def bootstrap_field(value: forms.BoundField) -> str:
    """`{{ form.field|bootstrap_field }}`: the field as crispy's `|as_crispy_field` renders
    it, written directly when its widget is simple (p3dn_portal.lib.form_html), through
    crispy otherwise."""
    if isinstance(value, forms.BoundField) and form_html.is_simple_field(value.field):
        return form_html.field_html(value)
    return as_crispy_field(value)


@register.simple_tag(takes_context=True)
def navbar(context: template.Context) -> str:
    """The navigation bar (p3dn_portal.lib.fragments.navbar_html)."""
    return navbar_html(context)
