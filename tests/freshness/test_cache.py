"""A cached value lives as long as the data it was computed from."""

import pytest
from django.utils import translation

from freshness import topics
from freshness.cache import cached
from tests import factories


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def _get(compute, **kwargs):
    return cached("test-value", compute, topics=(topics.PROCUREMENT,), **kwargs)


@pytest.mark.django_db
def test_it_computes_once_while_the_data_is_unchanged():
    compute = Counter()
    assert [_get(compute), _get(compute), _get(compute)] == [1, 1, 1]


@pytest.mark.django_db
def test_a_write_to_its_topic_computes_it_again():
    compute = Counter()
    _get(compute)
    factories.OPDFactory()
    assert _get(compute) == 2


@pytest.mark.django_db
def test_a_write_to_another_topic_keeps_it():
    compute = Counter()
    _get(compute)
    factories.VendorFactory()
    assert _get(compute) == 1


@pytest.mark.django_db
def test_parts_and_language_keep_values_apart():
    compute = Counter()
    assert _get(compute, parts=("a",)) == 1
    assert _get(compute, parts=("b",)) == 2
    with translation.override("en"):
        assert _get(compute, parts=("a",)) == 3
    assert _get(compute, parts=("a",)) == 1


@pytest.mark.django_db
def test_a_value_of_none_is_kept_too():
    calls = []
    compute = lambda: calls.append(1)  # noqa: E731
    _get(compute)
    _get(compute)
    assert calls == [1]
