from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from vendors import selectors


@role_required(Role.VENDOR)
def home(request: HttpRequest) -> HttpResponse:
    membership = request.user.vendor_member
    vendor = membership.vendor
    return render(
        request,
        "vendors/home.html",
        {
            "vendor": vendor,
            "membership": membership,
            "members": selectors.vendor_members(vendor=vendor),
        },
    )
