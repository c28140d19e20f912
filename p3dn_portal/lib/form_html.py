"""Simple forms as HTML without crispy-forms' layout machinery.

`{{ form|crispy }}` renders every field through half a dozen templates (the field, its
wrapper, its help text, its errors...) and costs about 1 ms of CPU for a form of three
fields, more than the rest of a simple page. A form whose fields are all plain inputs,
text areas and selects is written here directly, with the markup crispy's Bootstrap 5 pack
gives it (the same labels, classes, help texts, errors and ARIA attributes:
tests/test_form_html.py compares the two); any other form goes to crispy as before."""

from django import forms
from django.conf import settings
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Widgets written here. Everything else (checkboxes, radio buttons, files, widgets made of
# other widgets) keeps crispy's own templates.
SIMPLE_WIDGETS = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput,
                  forms.PasswordInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput,
                  forms.Textarea, forms.Select, forms.HiddenInput)  # fmt: skip
NOT_SIMPLE = (forms.CheckboxInput, forms.FileInput, forms.MultiWidget, forms.RadioSelect,
              forms.CheckboxSelectMultiple, forms.MultipleHiddenInput)  # fmt: skip


def is_simple(form: forms.BaseForm) -> bool:
    """A form this module renders as crispy would: no FormHelper, only simple widgets."""
    if getattr(form, "helper", None) is not None:
        return False
    return all(is_simple_field(field) for field in form.fields.values())


def is_simple_field(field: forms.Field) -> bool:
    """A field this module renders as crispy's `|as_crispy_field` would: a simple widget."""
    widget = field.widget
    return (
        isinstance(widget, SIMPLE_WIDGETS)
        and not isinstance(widget, NOT_SIMPLE)
        and not field.show_hidden_initial
        and not getattr(widget, "use_fieldset", False)
    )


def _widget_class(field: forms.BoundField) -> str:
    """The class attribute crispy gives a widget: its own classes, the widget's kind
    (`textinput`, `select`...) and Bootstrap's classes for it."""
    widget = field.field.widget
    kind = widget.__class__.__name__.lower()
    kind = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(kind, kind)
    css = widget.attrs.get("class", "")
    if not css:
        css = kind
    elif css.find(kind) == -1:
        css += f" {kind}"
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    classes = css.split()
    for name in (bootstrap, "is-invalid") if field.errors else (bootstrap,):
        if name not in classes:
            css += f" {name}"
            classes.append(name)
    return css


def field_html(field: forms.BoundField) -> SafeString:
    """One field as crispy's `|as_crispy_field` renders it (the caller checked
    is_simple_field)."""
    if field.is_hidden:
        return SafeString(str(field))
    required = field.field.required
    parts = []
    if field.label:
        parts.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
                " requiredField" if required else "",
                field.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",
            )
        )
    parts.append(field.as_widget(attrs={"class": _widget_class(field)}))
    if field.errors:
        auto_id = field.auto_id
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                getattr(field.errors, "field_id", auto_id),
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    ((number, auto_id, error) for number, error in enumerate(field.errors, 1)),
                ),
            )
        )
    if field.help_text:
        parts.append(
            format_html(
                '<div {}class="form-text">{}</div>',
                format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
                mark_safe(field.help_text),  # as crispy: help texts are the portal's own
            )
        )
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        mark_safe("".join(parts)),
    )


def form_html(form: forms.BaseForm) -> SafeString:
    """The form's errors above it and its fields, as crispy's `|crispy` filter renders them
    (the caller checked is_simple)."""
    html = []
    errors = form.non_field_errors()
    if errors:
        html.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((error,) for error in errors)),
            )
        )
    html.extend(field_html(field) for field in form)
    return mark_safe("".join(conditional_escape(part) for part in html))
