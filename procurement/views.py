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
