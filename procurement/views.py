from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from procurement import selectors


@role_required(Role.OFFICER)
def home(request: HttpRequest) -> HttpResponse:
    officer = request.user.opd_officer
    return render(
        request,
        "procurement/home.html",
        {
            "officer": officer,
            "opd": officer.opd,
            "colleagues": selectors.opd_officers(opd=officer.opd),
        },
    )


@login_not_required
def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    """One page per package for everyone; what it shows depends on who asks: the public
    terms and status; the OPD's officers their actions; a vendor its own bid."""
    package = selectors.package_for_user(user=request.user, package_id=package_id)
    user = request.user
    officer = user.opd_officer if user.is_authenticated else None
    member = user.vendor_member if user.is_authenticated else None
    return render(
        request,
        "procurement/package_detail.html",
        {
            "package": package,
            "items": package.items.all(),
            "is_package_officer": officer is not None and officer.opd_id == package.opd_id,
            "officer": officer,
            "vendor": member.vendor if member else None,
            "bid_count": selectors.active_bid_count(package=package),
        },
    )
