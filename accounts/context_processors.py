from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.backends import UNREAD
from accounts.models import Notification

# Written once: counted on every page with the navbar, where the ORM would build the same
# query again each time (index notification_user_unread answers it).
UNREAD_SQL = (
    f'SELECT count(*) FROM "{Notification._meta.db_table}" '
    f'WHERE "{Notification._meta.get_field("user").column}" = %s '
    f'AND "{Notification._meta.get_field("read_at").column}" IS NULL'
)


def unread_count(user_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(UNREAD_SQL, [user_id])
        return cursor.fetchone()[0]


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: how many notifications the user has not read, for the badge in
    the navbar. The request's user comes with the count (accounts.backends, in the query that
    loads it; a page that marks them read sets it to none); a user from elsewhere has it
    counted only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: _unread(user))}


def _unread(user) -> int:
    count = getattr(user, UNREAD, None)
    return unread_count(user.pk) if count is None else count
