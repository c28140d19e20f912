"""Writing the audit log. The service that makes a change calls `record` inside its own
transaction, so a change and its audit row commit, or roll back, together:

    audit.record(actor=by, action=AuditAction.PACKAGE_ANNOUNCED, obj=package,
                 changes={"status": ["draft", "announced"]})

`changes` maps a field to [before, after], each value rendered readably (`readable`): a
Decimal as its string, a date or time in ISO 8601, a choice as its stored value, a related
object as its label. Build it with `snapshot` and `diff`."""

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from audit.display import value_text
from audit.models import AuditAction, AuditEntry, ObjectType, SystemJob

NOT_IN_TRANSACTION = (
    "audit.record runs inside the transaction of the write it records "
    "(call it from the service, under transaction.atomic)."
)
NO_ACTOR_NOR_JOB = "An audit row without an actor names the background job that wrote it."
SUMMARY_FIELDS = 3
SUMMARY_VALUE_CHARS = 40
SUMMARY_MAX = 300
LABEL_MAX = 255

Changes = dict[str, list]


def readable(value: object) -> object:
    """A value as the log keeps it: JSON, and legible to a person."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): readable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return [readable(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, object]:
    """The readable values of an object's fields, now (a Decimal to its field's places, so
    that 25 and 25.00 read as the same value)."""
    return {field: readable(_stored(obj, field)) for field in fields}


def _stored(obj: models.Model, name: str) -> object:
    value = getattr(obj, name)
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> Changes:
    """{field: [before, after]} for each field whose value differs (absent reads as None)."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def field_label(object_type: str, field: str) -> str:
    """The verbose name of a field of the object's model, or the key as it is."""
    try:
        found = apps.get_model(object_type)._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field
    if isinstance(found, models.ForeignObjectRel):  # a package's items, say
        return str(found.related_model._meta.verbose_name_plural)
    return str(found.verbose_name)


def change_label(object_type: str, key: str) -> str:
    """What a key of `changes` is called: a field's name, or the meeting a schedule run
    moved (keyed by its id)."""
    if object_type == ObjectType.SCHEDULE_RUN and key.isdigit():
        return str(_("Pertemuan #{id}").format(id=key))
    return field_label(object_type, key)


def _short(value: object) -> str:
    text = "—" if value is None or value == "" else str(value)
    if len(text) > SUMMARY_VALUE_CHARS:
        text = text[: SUMMARY_VALUE_CHARS - 1] + "…"
    return text


SUMMARY_VALUE_KEPT = 100  # what summary_data keeps of a value, before display shortens it
MORE = gettext_noop("(+{more} lainnya)")


def summary_data(changes: Changes) -> dict:
    """The summary as the row keeps it, to be worded at display time in the reader's
    language (summary_display): the first fields' keys with before and after, and how many
    more changed."""
    items = list(changes.items())
    return {
        "fields": [
            [key, _kept(before), _kept(after)] for key, (before, after) in items[:SUMMARY_FIELDS]
        ],
        "more": max(len(items) - SUMMARY_FIELDS, 0),
    }


def _kept(value: object) -> object:
    if isinstance(value, str) and len(value) > SUMMARY_VALUE_KEPT:
        return value[: SUMMARY_VALUE_KEPT - 1] + "…"
    return value


def summary_given(text: str, **params: object) -> dict:
    """A summary the writer words itself: `text` is the Indonesian source (marked with
    gettext_noop, translated in locale/), with {named} parameters."""
    return {"text": text, "params": {k: readable(v) for k, v in params.items()}}


def summary_display(object_type: str, data: Mapping, stored: str = "") -> str:
    """A row's summary in the active language: from its data, or, for a row written before
    summaries kept their data, the text it stored (in Indonesian)."""
    if not data:
        return stored
    if "text" in data:
        params = data.get("params", {})
        try:
            text = _(data["text"]).format(**params)
        except (KeyError, IndexError):  # a translation naming another parameter
            text = str(data["text"]).format(**params)
    else:
        parts = [
            f"{change_label(object_type, field)}: "
            f"{_short(value_text(object_type, field, before))} → "
            f"{_short(value_text(object_type, field, after))}"
            for field, before, after in data.get("fields", [])
        ]
        if data.get("more"):
            parts.append(_(MORE).format(more=data["more"]))
        text = "; ".join(parts)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def summarize(object_type: str, changes: Changes) -> str:
    """The summary in the portal's language, as the row stores it beside its data (the text
    searched, and shown for rows from before the data)."""
    with translation.override(settings.LANGUAGE_CODE):
        return summary_display(object_type, summary_data(changes))


def _package_id(obj: models.Model) -> int | None:
    if obj._meta.label_lower == ObjectType.PACKAGE:
        return obj.pk
    return getattr(obj, "package_id", None)


def entry(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model,
    changes: Changes | None = None,
    note: str = "",
    job: SystemJob | str = "",
    label: str | None = None,
    summary: dict | None = None,
) -> AuditEntry:
    """An unsaved row (record or record_many saves it)."""
    if actor is None and not job:
        raise ValueError(NO_ACTOR_NOR_JOB)
    object_type = ObjectType(obj._meta.label_lower)
    changes = readable(changes or {})
    data = summary_data(changes) if summary is None else summary
    with translation.override(settings.LANGUAGE_CODE):
        text = summary_display(object_type, data)
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        job=job,
        action=AuditAction(action),
        object_type=object_type,
        object_id=obj.pk,
        object_label=(label if label is not None else str(obj))[:LABEL_MAX],
        package_id=_package_id(obj),
        changes=changes,
        summary=text,
        summary_data=data,
        note=note,
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)


def record(**fields: Any) -> AuditEntry:
    """Write one audit row in the caller's transaction; the fields are those of `entry`."""
    (row,) = record_many([entry(**fields)])
    return row


def record_many(rows: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Write rows made by `entry` in one statement (a closing opens many bids at once)."""
    _require_transaction()
    return AuditEntry.objects.bulk_create(list(rows), batch_size=500)
