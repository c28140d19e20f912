"""A step that cannot be undone asks first, on the server: the POST that would take it,
when it does not carry the confirmation field, answers with a page saying what will happen
and the same fields to post again with the confirmation (no JavaScript needed)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "konfirmasi"
CONFIRM_VALUE = "ya"


@dataclass(frozen=True)
class Confirmation:
    """What the page says: a question as its title, what will happen (each a sentence),
    what the user entered or what the step applies to, the button that takes the step and
    where "back" leads."""

    title: str
    consequences: Sequence[str]
    button: str
    back_url: str
    subject: str = ""  # what the step acts on: a package, an event, a meeting
    facts: Sequence[tuple[str, str]] = field(default_factory=tuple)
    danger: bool = True


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The page that asks: the POST's own fields (but the CSRF token, which the page adds
    afresh) go back to the same address with the confirmation."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]
    return render(
        request,
        "confirm.html",
        {
            "confirmation": confirmation,
            "fields": fields,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )


# The fields a POST carries once confirmed (for tests and scripts that take the step).
CONFIRMED = {CONFIRM_FIELD: CONFIRM_VALUE}
