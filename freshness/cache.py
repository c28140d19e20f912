"""Values kept in the cache for as long as the data they were computed from is unchanged.

A value's key holds the versions of the topics it reads (see freshness.topics): once any of
them moves on, the key is never asked for again and the value expires unread. So a cached
figure is never older than the data, whichever way the data was written."""

import hashlib
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from freshness.models import DataVersion
from freshness.topics import TABLES as TOPICS

T = TypeVar("T")
DAY = 60 * 60 * 24


# During a request the versions are read once (the first time something asks) and kept
# until the request ends; a worker, outside any request, reads them each time.
_request_versions: ContextVar[dict | None] = ContextVar("freshness_versions", default=None)


def _request_started(**kwargs: object) -> None:
    _request_versions.set({})


def _request_finished(**kwargs: object) -> None:
    _request_versions.set(None)


request_started.connect(_request_started, dispatch_uid="freshness-request-started")
request_finished.connect(_request_finished, dispatch_uid="freshness-request-finished")


def versions() -> dict[str, int]:
    """Every topic's version, in one query (once per request). A topic never written yet
    is at 0."""
    memo = _request_versions.get()
    if memo:
        return memo
    current = dict.fromkeys(TOPICS, 0) | dict(DataVersion.objects.values_list("topic", "version"))
    if memo is not None:
        memo.update(current)
    return current


# Every topic's version, and the versions of the keys of one topic that an SQL expression
# (of type text[]) names, in one query; a last row says whether the expression was NULL.
KEYS_SQL = """
SELECT 'topic', d.topic, d.version FROM freshness_dataversion d
UNION ALL
SELECT 'key', k.key, coalesce(v.version, 0)
FROM unnest(({keys})::text[]) AS k(key)
LEFT JOIN freshness_keyversion v ON v.topic = %(key_topic)s AND v.key = k.key
UNION ALL
SELECT 'none', '', 0 WHERE ({keys}) IS NULL
"""


def key_versions(topic: str, keys_sql: str, params: dict[str, object]) -> dict[str, int] | None:
    """The versions of the keys of `topic` that `keys_sql` (an SQL expression of type text[],
    with `params`) names, a key never written at 0; None when the expression is NULL (no set
    of keys can tell when the value changes: it depends on the whole topic). Every topic's
    version comes in the same query and is kept for the rest of the request, as versions()
    would have read it."""
    current, keys, whole = dict.fromkeys(TOPICS, 0), {}, False
    with connection.cursor() as cursor:
        cursor.execute(KEYS_SQL.format(keys=keys_sql), {**params, "key_topic": topic})
        for kind, name, version in cursor.fetchall():
            if kind == "topic":
                current[name] = version
            elif kind == "key":
                keys[name] = version
            else:
                whole = True
    memo = _request_versions.get()
    if memo is not None:
        memo.update(current)
    return None if whole else keys


def key(name: str, topics: Iterable[str], parts: Iterable[object], current: Mapping[str, int]):
    """The cache key: the value's name, the language it was rendered in, the versions it
    depends on and a digest of what else it depends on (filters, page, date...)."""
    stamp = ".".join(f"{topic}{current[topic]}" for topic in sorted(topics))
    digest = hashlib.blake2b(repr(tuple(parts)).encode(), digest_size=12).hexdigest()
    return f"fresh:{name}:{get_language()}:{stamp}:{digest}"


def cached(
    name: str,
    compute: Callable[[], T],
    *,
    topics: Iterable[str],
    parts: Iterable[object] = (),
    timeout: int = DAY,
    until: Callable[[T], datetime | None] | None = None,
) -> T:
    """`compute()`, or its value kept from an earlier call on the same data. A value that
    also depends on the clock says, through `until(value)`, when it stops being right (a
    package leaves the list of open ones at its deadline); it is computed again from then."""
    topics = tuple(topics)
    # A value that depends on no topic (all it depends on is in `parts`) costs no query.
    cache_key = key(name, topics, parts, versions() if topics else {})
    hit = cache.get(cache_key)
    if hit is not None and (hit[1] is None or timezone.now() < hit[1]):
        return hit[0]
    value = compute()
    cache.set(cache_key, (value, until(value) if until else None), timeout)
    return value
