"""The client-days port: the DynamoDB adapter and the unit tier's fake keep one contract (a day
written only at the version it was read, found by a visit's id, listed by month in pages, its
rejected events listed and found, unprocessable events held apart)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.domain.errors import Conflict, NotFound
from services.visits.domain.days import DayKey

from .visits_ports import NOW, a_day, a_provider, a_visit, an_event, ports, rejected, stored  # noqa: F401


def written(ports, key, *, visits=(), events=(), rejects=()):
    """A client-day written the way the use cases write one: pointers first, then the day."""
    before = ports.days.load_day(key)
    day = before.copy()
    for at, minutes in visits:
        v = a_visit(day, at, minutes)
        day.visits[v.visit_id] = v
    day.events.update({str(e.event_id): stored(e) for e in events})
    day.rejected.update({str(r.event.event_id): r for r in rejects})
    ports.days.index_days([(before, day)])
    assert ports.days.save_day(day, [], NOW) is True
    return day


def test_a_day_never_written_is_empty_at_version_zero_and_has_no_minutes(ports):
    key = a_day(a_provider())
    day = ports.days.load_day(key)
    assert (day.version, day.events, day.visits, day.rejected, day.listed) == (0, {}, {}, {}, False)
    assert day.ref and day.key == key
    assert ports.days.days_minutes([key]) == {}
    assert ports.days.load_days([key, key])[key].version == 0


def test_a_day_is_written_only_at_the_version_it_was_read(ports):
    # GIVEN a day written once, with a visit and an event
    key = a_day(a_provider())
    first = written(ports, key, visits=[(NOW - timedelta(hours=3), 30)],
                    events=[an_event(key.provider, key.client, NOW - timedelta(hours=3))])
    assert first.version == 1 and first.listed
    # WHEN a copy read before that write is written THEN it is refused and the day keeps the first write
    stale = first.copy()
    stale.version = 0
    assert ports.days.save_day(stale, [], NOW) is False
    again = ports.days.load_day(key)
    assert again.version == 1 and again.ref == first.ref
    assert again.visits == first.visits and again.events.keys() == first.events.keys()
    # AND a write at the version read passes and moves the version on
    again.visits.clear()
    assert ports.days.save_days([(again, [])], NOW) == [True]
    assert ports.days.load_day(key).version == 2 and ports.days.load_day(key).visits == {}


def test_the_minutes_of_the_days_that_exist(ports):
    provider = a_provider()
    monday = a_day(provider)
    written(ports, monday, visits=[(NOW - timedelta(hours=5), 30), (NOW - timedelta(hours=2), 15)])
    tuesday = DayKey(provider, monday.client, monday.day + timedelta(days=1))
    assert ports.days.days_minutes([monday, tuesday]) == {monday: 45}
    assert all(type(k) is DayKey for k in ports.days.days_minutes([monday]))


def test_a_visit_is_found_by_its_id_and_where_it_moved(ports):
    key = a_day(a_provider())
    day = written(ports, key, visits=[(NOW - timedelta(hours=3), 30)])
    (visit,) = day.visits.values()
    assert ports.days.get_visit(visit.visit_id) == visit
    # GIVEN the visit moved to the day before (its pointer follows)
    other = DayKey(key.provider, key.client, key.day - timedelta(days=1))
    before = ports.days.load_day(other)
    moved = before.copy()
    moved.visits[visit.visit_id] = visit.model_copy(update={"started_at": visit.started_at - timedelta(days=1),
                                                           "ended_at": visit.ended_at - timedelta(days=1)})
    ports.days.index_days([(before, moved)])
    assert ports.days.save_day(moved, [], NOW)
    ports.days.point_visit(visit.visit_id, other)
    assert ports.days.get_visit(visit.visit_id).started_at == visit.started_at - timedelta(days=1)
    with pytest.raises(NotFound):
        ports.days.get_visit(f"{day.ref}-nothing")
    with pytest.raises(NotFound):
        ports.days.get_visit("nobody-knows")


def test_a_month_is_listed_in_pages_in_client_day_and_time_order(ports):
    # GIVEN two clients' days of one month with 2, 1 and 3 visits
    provider = a_provider()
    first, second = a_day(provider, on=NOW - timedelta(days=2)), a_day(provider, on=NOW - timedelta(days=1))
    third = DayKey(provider, first.client, second.day)
    for key, count in ((first, 2), (second, 1), (third, 3)):
        at = NOW.replace(day=key.day.day, hour=6)
        written(ports, key, visits=[(at + timedelta(hours=2 * n), 20) for n in range(count)])
    everything = ports.days.visits_of_month(provider, NOW.year, NOW.month)
    assert len(everything) == 6
    assert [(str(v.client), v.started_at) for v in everything] == sorted((str(v.client), v.started_at)
                                                                         for v in everything)
    # WHEN it is read two visits at a time THEN every visit once, in the same order
    paged, cursor = [], None
    for _ in range(10):
        page, cursor = ports.days.visits_page(provider, NOW.year, NOW.month, limit=2, cursor=cursor)
        assert len(page) <= 2
        paged += page
        if cursor is None:
            break
    assert [v.visit_id for v in paged] == [v.visit_id for v in everything]
    # AND one client's month is that client's visits only
    mine = ports.days.visits_of_month(provider, NOW.year, NOW.month, first.client)
    assert len(mine) == 5 and {str(v.client) for v in mine} == {first.client}
    assert ports.days.visits_of_month(provider, NOW.year, NOW.month - 1) == []


def test_a_days_rejected_events_are_listed_and_found_with_their_day(ports):
    key = a_day(a_provider())
    refused = [rejected(an_event(key.provider, key.client, NOW - timedelta(hours=h))) for h in (1, 2, 3)]
    written(ports, key, rejects=refused)
    r, where = ports.days.get_rejected(key.provider, str(refused[0].event.event_id))
    assert r == refused[0] and where == key
    listed, cursor = [], None
    for _ in range(5):
        page, cursor = ports.days.rejected_page(key.provider, limit=2, cursor=cursor)
        listed += page
        if cursor is None:
            break
    assert [str(r.event.event_id) for r in listed] == sorted(str(r.event.event_id) for r in refused)
    with pytest.raises(NotFound):
        ports.days.get_rejected(key.provider, "no-such-event")
    with pytest.raises(NotFound):
        ports.days.get_rejected(a_provider(), str(refused[0].event.event_id))


def test_an_unprocessable_event_is_held_apart_once_and_replaced_only_as_read(ports):
    provider = a_provider()
    held = rejected(an_event(provider, a_day(provider).client, NOW), origin="unprocessable")
    eid = str(held.event.event_id)
    # WHEN it is recorded twice (a redelivery) THEN once
    assert ports.days.add_unprocessable(held) is True
    assert ports.days.add_unprocessable(held) is False
    assert ports.days.get_rejected(provider, eid) == (held, None)
    assert [r.event.event_id for r in ports.days.rejected_page(provider, limit=10)[0]] == [held.event.event_id]
    # AND it is replaced only from the status it was read with
    corrected = held.model_copy(update={"status": "corrected", "corrected_by_event": "e-2"})
    ports.days.replace_unprocessable(held, corrected)
    assert ports.days.get_rejected(provider, eid)[0].status == "corrected"
    with pytest.raises(Conflict):
        ports.days.replace_unprocessable(held, corrected)


def test_indexing_days_marks_the_months_waiting_for_a_decision(ports):
    key = a_day(a_provider())
    before = ports.days.load_day(key)
    ports.days.index_days([(before, before.copy())], [(key.client, key.provider, (2026, 11))])
    assert ports.grants.waiting_months(key.client) == [(key.provider, 2026, 11)]


def test_a_staff_members_month_holds_their_visits_only_in_time_order(ports):
    """GIVEN visits of anna at two clients on two days, and bo's visit at one of them, and anna's
    visit of another month WHEN anna's month is read THEN her two visits of it, in time order."""
    provider = a_provider()
    later = written(ports, a_day(provider), visits=[(NOW - timedelta(hours=1), 30)])
    earlier = written(ports, a_day(provider, on=NOW - timedelta(days=1)), visits=[(NOW - timedelta(days=1), 20)])
    bo_day = ports.days.load_day(later.key)
    bo = a_visit(bo_day, NOW - timedelta(hours=2), 15).model_copy(update={"staff_id": "bo"})
    bo_day.visits[bo.visit_id] = bo
    ports.days.index_days([(later, bo_day)])
    assert ports.days.save_day(bo_day, [], NOW) is True
    written(ports, a_day(provider, on=NOW - timedelta(days=40)), visits=[(NOW - timedelta(days=40), 20)])
    mine = ports.days.visits_of_staff(provider, "anna", NOW.year, NOW.month)
    assert [v.visit_id for v in mine] == [*earlier.visits, *later.visits]
    assert [v.visit_id for v in ports.days.visits_of_staff(provider, "bo", NOW.year, NOW.month)] == [bo.visit_id]
    assert ports.days.visits_of_staff(a_provider(), "anna", NOW.year, NOW.month) == []
