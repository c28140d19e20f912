from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The backend sessions are logged in with (django-axes' backend, first in the list, only
# refuses locked-out logins and cannot load a session's user).
EMAIL_BACKEND = "accounts.backends.EmailBackend"


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). The user of every request arrives with their
    vendor or OPD membership already joined, so role checks cost no further query."""

    def get_user(self, user_id: int):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(
                "vendor_membership__vendor", "officer__opd"
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
