from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import Model

from accounts.models import Notification

# The backend sessions are logged in with (django-axes' backend, first in the list, only
# refuses locked-out logins and cannot load a session's user).
EMAIL_BACKEND = "accounts.backends.EmailBackend"

# The user of every request arrives with these joined (each a chain of one-to-one or
# foreign-key relations from the user), so the role checks and the navbar cost no query.
JOINED = ("vendor_membership__vendor", "officer__opd")
# ...and with how many of its notifications are unread, for the navbar's badge (the
# attribute accounts.context_processors reads).
UNREAD = "unread_notifications_count"


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). The user of every request arrives with their
    vendor or OPD membership already joined, so role checks cost no further query."""

    def get_user(self, user_id: int):
        user = _user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class _Joined:
    """One model of the user's query: its columns, each with the converters the ORM would
    apply to it, and the relation that links it to the model before it."""

    def __init__(self, model: type[Model], alias: str, relation=None, parent=None) -> None:
        self.model, self.alias, self.relation, self.parent = model, alias, relation, parent
        self.fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in self.fields]
        self.pk_index = list(self.fields).index(model._meta.pk)
        self.columns = []
        self.converters = []
        for field in self.fields:
            column = field.get_col(alias)
            self.columns.append(f'"{alias}"."{field.column}"')
            self.converters.append(
                (
                    column,
                    [
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    ],
                )
            )

    def instance(self, row: list, start: int) -> Model | None:
        values = row[start : start + len(self.fields)]
        if values[self.pk_index] is None:  # none joined (a LEFT JOIN's NULLs)
            return None
        for index, (column, converters) in enumerate(self.converters):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


@cache
def _query() -> tuple[str, list[_Joined]]:
    """The user and every model of JOINED in one SELECT, written once per process from the
    models' metadata (the ORM would compile it again on every request: about as long as
    the rest of a simple page's Python)."""
    user_model = get_user_model()
    root = _Joined(user_model, "u")
    joined, joins = [root], []
    for chain in JOINED:
        parent = root
        for name in chain.split("__"):
            relation = parent.model._meta.get_field(name)
            alias = f"j{len(joined)}"
            model = relation.related_model
            if relation.auto_created and not relation.concrete:  # a reverse one-to-one
                near, far = relation.field.target_field.column, relation.field.column
            else:
                near, far = relation.column, relation.target_field.column
            on = f'"{alias}"."{far}" = "{parent.alias}"."{near}"'
            joins.append(f'LEFT JOIN "{model._meta.db_table}" "{alias}" ON {on}')
            step = _Joined(model, alias, relation, parent)
            joined.append(step)
            parent = step
    columns = ", ".join(column for step in joined for column in step.columns)
    pk = user_model._meta.pk.column
    table = user_model._meta.db_table
    unread = (  # index notification_user_unread
        f'(SELECT count(*) FROM "{Notification._meta.db_table}" "n" '
        f'WHERE "n"."{Notification._meta.get_field("user").column}" = "u"."{pk}" '
        f'AND "n"."{Notification._meta.get_field("read_at").column}" IS NULL)'
    )
    sql = f'SELECT {columns}, {unread} FROM "{table}" "u" {" ".join(joins)} WHERE "u"."{pk}" = %s'
    return sql, joined


def _user_with_memberships(user_id) -> Model | None:
    """The user and what JOINED names, in one query, as
    `User.objects.select_related(*JOINED).filter(pk=user_id).first()` would give them, with
    the count of its unread notifications (UNREAD)."""
    user_model = get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(user_id)
    except Exception:  # a session naming no valid id: nobody, as the ORM would find
        return None
    sql, joined = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    row, start, instances = list(row), 0, {}
    for step in joined:
        instances[step] = step.instance(row, start)
        start += len(step.fields)
    user = instances[joined[0]]
    setattr(user, UNREAD, row[-1])
    for step in joined[1:]:
        parent, child = instances[step.parent], instances[step]
        if parent is None:
            continue
        step.relation.set_cached_value(parent, child)  # None: known to be missing
        if child is not None and step.relation.auto_created and not step.relation.concrete:
            step.relation.field.set_cached_value(child, parent)  # member.user is the user
    return user
