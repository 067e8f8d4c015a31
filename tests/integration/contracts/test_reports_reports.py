"""The reports port: a month's report read as the last build saved it, none before the first; the
adapter and the fake alike."""
from __future__ import annotations

from datetime import datetime, timezone

from services.reports.domain.fold import report_of, summarize

from .reports_ports import a_month, a_result, store  # noqa: F401

BUILT = datetime(2026, 11, 2, 2, tzinfo=timezone.utc)


def test_no_report_is_read_before_a_month_is_built(store):
    assert store.report(a_month()) is None


def test_a_saved_report_is_read_back_as_it_was_and_the_next_build_replaces_it(store):
    month = a_month()
    first = {**summarize(month, [a_result()], built_at=BUILT, kind="full"), "versions": {"194001013186": 1}}
    store.save_report(first)
    assert store.report(month) == first
    second = {**report_of(month, {}, built_at=BUILT, kind="incremental", client_months=0, data_until=""),
              "versions": {}}
    store.save_report(second)
    assert store.report(month) == second
