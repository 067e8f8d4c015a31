"""The month summaries of the client-days port: the DynamoDB adapter and the fake keep one contract
(a write adds the difference of the day's counts to its month's summary in the same write; a write
refused on its version adds nothing; a write that changes no count adds nothing; a bulk seed writes
the summaries too; each equals a recount of the days)."""
from __future__ import annotations

from datetime import timedelta

from services.visits.domain.days import DayKey
from services.visits.domain.model import Deviation
from services.visits.domain.summaries import recount

from .visits_ports import NOW, a_day, a_provider, a_visit, ports  # noqa: F401


def kept(ports, provider, year=NOW.year, month=NOW.month):
    return {s.client: dict(s.counts) for s in ports.days.month_summaries(provider, year, month)}


def write(ports, day, before):
    ports.days.index_days([(before, day)])
    return ports.days.save_day(day, [], NOW)


def test_a_month_nobody_wrote_has_no_summaries(ports):
    assert ports.days.month_summaries(a_provider(), NOW.year, NOW.month) == []


def test_each_write_adds_the_difference_of_the_days_counts_once(ports):
    # GIVEN a client-day written with an ended visit of 30 minutes and an open one
    provider = a_provider()
    key = a_day(provider)
    before = ports.days.load_day(key)
    day = before.copy()
    ended = a_visit(day, NOW - timedelta(hours=5), 30)
    still = a_visit(day, NOW - timedelta(hours=1)).model_copy(update={"ended_at": None, "status": "open"})
    day.visits.update({ended.visit_id: ended, still.visit_id: still})
    assert write(ports, day, before)
    # THEN its month's summary counts both visits, the open one on its day
    open_key = f"open_{key.day.day:02d}"
    assert kept(ports, provider) == {key.client: {"registered": 2, "open": 1, open_key: 1, "minutes": 30}}
    # WHEN the ended visit is approved and the open one gets a manual receipt without a reason
    stored = ports.days.load_day(key)
    assert stored.counted == {"registered": 2, "open": 1, open_key: 1, "minutes": 30}
    changed = stored.copy()
    changed.visits[ended.visit_id] = ended.model_copy(update={"status": "approved", "version": 2})
    changed.visits[still.visit_id] = still.model_copy(update={"deviations": [
        Deviation(code="manual_receipt", by="system", at=NOW)], "version": 2})
    assert write(ports, changed, stored)
    # THEN the summary holds the new counts, not both versions' counts
    assert kept(ports, provider)[key.client] == {
        "registered": 2, "open": 1, open_key: 1, "minutes": 30, "approved": 1, "approved_minutes": 30,
        "x_manual_without_reason": 1}
    # WHEN a writer that read the first version writes THEN it is refused and the summary is unchanged
    stale = stored.copy()
    stale.visits.clear()
    assert ports.days.save_day(stale, [], NOW) is False
    assert kept(ports, provider)[key.client]["registered"] == 2
    # AND a write that changes no count (a new event only) leaves the summary as it is
    again = ports.days.load_day(key)
    same = again.copy()
    same.visits[ended.visit_id] = same.visits[ended.visit_id].model_copy(update={"version": 3})
    assert write(ports, same, again)
    assert ports.days.load_day(key).version == 3
    assert kept(ports, provider) == recount([ports.days.load_day(key)])


def test_a_visit_taken_out_of_a_day_is_taken_out_of_the_summary(ports):
    provider = a_provider()
    key = a_day(provider)
    before = ports.days.load_day(key)
    day = before.copy()
    v = a_visit(day, NOW - timedelta(hours=4), 45)
    day.visits[v.visit_id] = v
    assert write(ports, day, before)
    stored = ports.days.load_day(key)
    emptied = stored.copy()
    emptied.visits.clear()
    assert write(ports, emptied, stored)
    counts = kept(ports, provider).get(key.client, {})
    assert {k: n for k, n in counts.items() if n} == {}


def test_months_and_providers_are_kept_apart_and_a_bulk_seed_writes_summaries(ports):
    # GIVEN days of two clients seeded in bulk, one in the month before
    provider = a_provider()
    first, second = a_day(provider), a_day(provider, on=NOW - timedelta(days=1))
    earlier = DayKey(provider, first.client, (NOW - timedelta(days=40)).date())
    days = []
    for key, count in ((first, 2), (second, 3), (earlier, 1)):
        day = ports.days.load_day(key)
        at = NOW.replace(year=key.day.year, month=key.day.month, day=key.day.day, hour=6)
        for n in range(count):
            v = a_visit(day, at + timedelta(hours=n), 20)
            day.visits[v.visit_id] = v
        days.append(day)
    if hasattr(ports.days, "seed"):
        ports.days.seed(days)
    else:
        from services.visits.adapters.client_days import seed_items
        with ports.days.table.batch_writer() as batch:
            for item in seed_items(days):
                batch.put_item(Item=item)
    # THEN each month's summaries are the recount of its days, and the days are listed
    assert kept(ports, provider) == recount(days[:2])
    assert kept(ports, provider, earlier.day.year, earlier.day.month) == recount(days[2:])
    assert kept(ports, a_provider()) == {}
    assert len(ports.days.visits_of_month(provider, NOW.year, NOW.month)) == 5
    # AND a later write of a seeded day adds only its difference
    stored = ports.days.load_day(first)
    more = stored.copy()
    v = a_visit(more, NOW - timedelta(hours=1), 10)
    more.visits[v.visit_id] = v
    assert write(ports, more, stored)
    assert kept(ports, provider)[first.client]["registered"] == 3
    assert kept(ports, provider)[first.client]["minutes"] == 50
