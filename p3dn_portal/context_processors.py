from django.http import HttpRequest

from p3dn_portal.navigation import navigation_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"nav_items": navigation_for(user) if user is not None else []}
