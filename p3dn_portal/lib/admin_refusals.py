"""A service's refusal met in the middle of a Django admin save (in `save_model` or
`save_related`, after the form was accepted): the whole save is undone and the admin is
told why, on the same page.

The admin saves in one transaction around `changeform_view`; a refusal raised as
`SaveRefused` leaves that transaction (rolling back what was already written: an event's
days without their slots, an assistance marked issued without its certificate, a meeting
added by hand), and `RefusalMessageMixin` turns it into an error message and a fresh GET of
the page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


class SaveRefused(Exception):
    """A service refused what the admin's form accepted; the message says why. `initial`:
    what an add form starts again with (its query string), so the admin's choice is kept."""

    def __init__(self, message: str, initial: dict | None = None) -> None:
        super().__init__(message)
        self.initial = initial


class RefusalMessageMixin:
    """For a ModelAdmin whose save calls a service that may refuse (raising SaveRefused)."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefused as refused:
            # The admin's transaction was rolled back: nothing of this save was kept.
            self.message_user(request, str(refused), messages.ERROR)
            if refused.initial is None:
                return HttpResponseRedirect(request.get_full_path())
            return HttpResponseRedirect(f"{request.path}?{urlencode(refused.initial)}")
