from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from p3dn_portal.navigation import navigation_for


def portal(request: HttpRequest) -> dict:
    """`nav_items`: the main navigation of the user's role, built only when a template reads
    it (the navbar, once per visitor kind and page: see the `navbar` tag)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": SimpleLazyObject(lambda: navigation_for(user))}
