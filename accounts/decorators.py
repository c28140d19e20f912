from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

WRONG_ROLE = _(
    "Halaman ini untuk {role}. Anda masuk sebagai {current}: buka beranda Anda dari menu, "
    "atau keluar dan masuk dengan akun yang sesuai."
)


def role_required(role: Role) -> Callable:
    """Only users of this role get in; any other logged-in user gets 403 (anonymous users
    never reach here: LoginRequiredMiddleware sends them to the login page)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.user.role != role:
                current = (
                    request.user.role.label if request.user.role else _("pengguna tanpa peran")
                )
                raise PermissionDenied(WRONG_ROLE.format(role=role.label, current=current))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
