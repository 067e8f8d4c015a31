"""The summaries port: each client-month's latest result (never replaced by an older version),
each version's result for what a report was built from, and when a month last changed; the adapter
and the fake alike."""
from __future__ import annotations

from .reports_ports import a_client, a_month, a_result, store  # noqa: F401

AT, LATER = "2026-11-02T12:00:00+00:00", "2026-11-02T13:00:00+00:00"


def _summaries(store, month):
    return [s for shard in range(store.shards) for s in store.summaries_in(month, shard)]


def test_a_months_summaries_are_the_highest_versions_listed_once_part_by_part_in_client_order(store):
    month, other_month = a_month(), a_month()
    a, b, c = sorted(a_client() for _ in range(3))
    one, two, three = a_result(seed=7), a_result(seed=8), a_result(seed=9)
    store.save_summaries([(month, a, 1, one), (month, b, 1, one), (other_month, c, 1, one)], AT)
    store.save_summaries([(month, a, 3, three)], LATER)
    store.save_summaries([(month, a, 2, two)], LATER)  # a slower consumer of an older version
    store.save_summaries([(month, b, 1, two)], LATER)  # the same version again: kept as it was
    for shard in range(store.shards):
        part = [client for client, _, _ in store.summaries_in(month, shard)]
        assert part == sorted(part)
    assert sorted(_summaries(store, month)) == sorted([(a, 3, three), (b, 1, one)])


def test_the_results_a_report_was_built_from_are_those_versions_even_after_newer_ones(store):
    month = a_month()
    a, b, unknown = a_client(), a_client(), a_client()
    one, two = a_result(seed=7), a_result(seed=8)
    store.save_summaries([(month, a, 1, one), (month, b, 1, one)], AT)
    store.save_summaries([(month, a, 2, two)], LATER)
    assert store.results_at(month, {a: 1, b: 1}) == {a: one, b: one}
    assert store.results_at(month, {a: 2}) == {a: two}
    # a version no longer kept gives the client's current result; a client without one is left out
    assert store.results_at(month, {a: 7, unknown: 1}) == {a: two}


def test_a_month_is_marked_changed_when_its_summaries_are_saved(store):
    month, other_month = a_month(), a_month()
    store.save_summaries([(month, a_client(), 1, a_result())], AT)
    assert store.touched_months()[month] == AT
    assert other_month not in store.touched_months()
    store.save_summaries([(month, a_client(), 1, a_result())], LATER)
    assert store.touched_months()[month] == LATER
