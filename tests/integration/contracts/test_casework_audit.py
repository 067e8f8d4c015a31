"""The audit repository: append-only records, a change's in its own commit, a read's at once;
found by person, by actor, by case (a top-level resource) or by dates, oldest first, a page at a
time; the adapter and the fake alike."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from services.domain.errors import Conflict
from services.eservices.casework.domain.audit import AuditRecord
from tests.support.people import new_pnr

from .casework_ports import an_id, ports  # noqa: F401


def a_far_day() -> datetime:
    """A day of its own (no other test writes there), so a search of every record sees only this test's."""
    return datetime(2200, 1, 1, 8, tzinfo=timezone.utc) + timedelta(days=random.randrange(300_000))


def a_record(at: datetime, *, subject: str | None = None, actor: str = "case_worker:hl-1",
             action: str = "case.read", resource: str = "") -> AuditRecord:
    return AuditRecord(audit_id=an_id(), at=at, actor=actor, actor_role="case_worker", action=action, kind="read",
                       subject=subject, purpose="Handläggning", request_id=an_id(), resource=resource)


def ids(records: list[AuditRecord]) -> list[str]:
    return [r.audit_id for r in records]


def test_a_changes_records_are_kept_only_when_its_unit_of_work_commits(ports):
    # GIVEN records of a change staged in a unit of work
    day, person = a_far_day(), new_pnr()
    records = [a_record(day, subject=person, action="intake.create")]
    uow = ports.unit_of_work()
    ports.repos.audit.add(uow, records)
    # WHEN it has not committed THEN nothing is found; WHEN it commits THEN they are
    found = ports.repos.audit.search(person=person, actor=None, start=day, end=day + timedelta(hours=1), limit=10)
    assert found == ([], None)
    uow.commit()
    found, cursor = ports.repos.audit.search(person=person, actor=None, start=day, end=day + timedelta(hours=1),
                                             limit=10)
    assert found == records and cursor is None


def test_a_record_is_written_once(ports):
    day = a_far_day()
    record = a_record(day, subject=new_pnr())
    ports.commit(lambda uow: ports.repos.audit.add(uow, [record]))
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.audit.add(uow, [record]))


def test_records_are_found_by_person_by_actor_and_by_dates_oldest_first_and_end_exclusive(ports):
    # GIVEN reads kept at once: two about one person by two actors, one about someone else, one an hour on
    day, person, other = a_far_day(), new_pnr(), new_pnr()
    me, colleague = f"case_worker:{an_id()}", f"case_worker:{an_id()}"
    later = a_record(day + timedelta(minutes=2), subject=person, actor=colleague)
    first = a_record(day, subject=person, actor=me)
    elsewhere = a_record(day + timedelta(minutes=1), subject=other, actor=me)
    next_hour = a_record(day + timedelta(hours=1), subject=person, actor=me)
    ports.repos.audit.add_now([later, first, elsewhere, next_hour])
    hour = {"start": day, "end": day + timedelta(hours=1), "limit": 10}
    # WHEN searched THEN each finds its own, oldest first, and [start, end) leaves the next hour out
    assert ids(ports.repos.audit.search(person=person, actor=None, **hour)[0]) == ids([first, later])
    assert ids(ports.repos.audit.search(person=None, actor=me, **hour)[0]) == ids([first, elsewhere])
    assert ids(ports.repos.audit.search(person=None, actor=None, **hour)[0]) == ids([first, elsewhere, later])
    assert ids(ports.repos.audit.search(person=person, actor=None, start=day, end=day + timedelta(hours=2),
                                        limit=10)[0]) == ids([first, later, next_hour])


def test_a_search_answers_a_page_and_where_to_go_on(ports):
    # GIVEN five records about one person over five minutes, spread over more than one day for the day search
    day, person = a_far_day(), new_pnr()
    records = [a_record(day + timedelta(hours=10 * i), subject=person) for i in range(5)]
    ports.repos.audit.add_now(list(reversed(records)))
    span = {"start": day, "end": day + timedelta(days=3), "limit": 2}
    for who in ({"person": person, "actor": None}, {"person": None, "actor": None}):
        # WHEN read two at a time THEN the pages follow one another to the end, and the last says so
        seen: list[str] = []
        page, cursor = ports.repos.audit.search(**who, **span)
        seen += ids(page)
        while cursor is not None:
            assert len(page) == 2
            page, cursor = ports.repos.audit.search(**who, **span, after=cursor)
            seen += ids(page)
        assert seen == ids(records)


def test_records_are_found_by_case_within_the_period_oldest_first_and_a_page_at_a_time(ports):
    # GIVEN a case's records over three days (one a document under it, one a change in a unit of
    # work), another case's records between them, and the case's records just outside the period
    day, person = a_far_day(), new_pnr()
    case, other = f"case:{an_id()}", f"case:{an_id()}"
    mine = [a_record(day + timedelta(hours=1), subject=person, resource=case),
            a_record(day + timedelta(hours=20), subject=person, resource=f"{case}/document:{an_id()}"),
            a_record(day + timedelta(days=1, hours=3), resource=case, action="case.assign"),
            a_record(day + timedelta(days=2), subject=person, resource=case)]
    theirs = [a_record(day + timedelta(hours=2), subject=person, resource=other),
              a_record(day + timedelta(days=1), resource=f"{other}/document:{an_id()}")]
    before, at_end = (a_record(day - timedelta(seconds=1), resource=case),
                      a_record(day + timedelta(days=2, hours=1), resource=case))
    ports.repos.audit.add_now([mine[3], *theirs, before, mine[0], mine[1], at_end])
    ports.commit(lambda uow: ports.repos.audit.add(uow, [mine[2]]))
    span = {"person": None, "actor": None, "start": day, "end": day + timedelta(days=2, hours=1)}
    # WHEN searched by the case at once THEN its four, oldest first: the document's too, the other
    # case's never, nothing outside [start, end)
    found, cursor = ports.repos.audit.search(**span, resource=case, limit=10)
    assert ids(found) == ids(mine) and cursor is None
    # AND the other case finds only its own
    assert ids(ports.repos.audit.search(**span, resource=other, limit=10)[0]) == ids(theirs)
    # WHEN read three, then one at a time THEN the pages follow one another to the end, the last saying so
    for size in (3, 1):
        page, cursor = ports.repos.audit.search(**span, resource=case, limit=size)
        seen = ids(page)
        while cursor is not None:
            assert len(page) == size
            page, cursor = ports.repos.audit.search(**span, resource=case, limit=size, after=cursor)
            seen += ids(page)
        assert seen == ids(mine)
    # AND a case nobody touched has nothing
    assert ports.repos.audit.search(**span, resource=f"case:{an_id()}", limit=10) == ([], None)
