"""The inbox: cases newest first, by status, category and submit time, a page at a time; the
adapter (status partitions merged) and the fake alike. Each test lists a window of time its own."""
from __future__ import annotations

import random

import pytest
from datetime import datetime, timedelta, timezone

from tests.support.people import new_pnr

from .casework_ports import a_case, an_id, ports  # noqa: F401


def a_window() -> tuple[datetime, str, str]:
    """An hour no other test submits in, and its bounds as the inbox takes them."""
    start = datetime(2300, 1, 1, tzinfo=timezone.utc) + timedelta(hours=random.randrange(2_000_000))
    return start, start.isoformat(), (start + timedelta(hours=1)).isoformat()


def submit(ports, *cases) -> None:
    for case in cases:
        ports.commit(lambda uow, c=case: ports.cases.add(uow, c))


def test_cases_are_listed_newest_first_over_every_status_or_of_one(ports):
    # GIVEN three cases in an hour, one of them taken in, and one just after the hour
    start, after, before = a_window()
    old = a_case(new_pnr(), start + timedelta(minutes=1))
    taken_in = a_case(new_pnr(), start + timedelta(minutes=2), status="received")
    new = a_case(new_pnr(), start + timedelta(minutes=3))
    submit(ports, old, taken_in, new, a_case(new_pnr(), start + timedelta(hours=1)))
    window = {"category": None, "after": after, "before": before, "limit": 10, "cursor": None}
    # WHEN listed THEN newest first, [after, before) only; a status lists its own
    every, cursor = ports.repos.inbox.page(status=None, **window)
    assert [c.case_id for c in every] == [new.case_id, taken_in.case_id, old.case_id] and cursor is None
    assert [c.case_id for c in ports.repos.inbox.page(status="submitted", **window)[0]] == [new.case_id, old.case_id]
    assert [c.case_id for c in ports.repos.inbox.page(status="received", **window)[0]] == [taken_in.case_id]
    assert every[0] == new


def test_a_category_is_matched_anywhere_in_it(ports):
    start, after, before = a_window()
    word = an_id("Kategori")
    mine = a_case(new_pnr(), start + timedelta(minutes=1), category=f"Stöd: {word} i hemmet")
    submit(ports, mine, a_case(new_pnr(), start + timedelta(minutes=2)))
    found, _ = ports.repos.inbox.page(status=None, category=word, after=after, before=before, limit=10, cursor=None)
    assert [c.case_id for c in found] == [mine.case_id]


def test_pages_follow_one_another_by_cursor_to_the_end(ports):
    # GIVEN five cases over two statuses
    start, after, before = a_window()
    cases = [a_case(new_pnr(), start + timedelta(minutes=i), status=("submitted", "received")[i % 2]) for i in range(5)]
    submit(ports, *cases)
    # WHEN read two at a time THEN every case once, newest first, and the last page says it is the last
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = ports.repos.inbox.page(status=None, category=None, after=after, before=before, limit=2,
                                              cursor=cursor)
        seen += [c.case_id for c in page]
        pages += 1
        if cursor is None:
            break
        assert len(page) == 2
    assert seen == [c.case_id for c in reversed(cases)] and pages == 3


def taken_in_by(case, case_worker: str):
    from services.eservices.domain.cases import Intake

    return case.model_copy(update={"status": "in_progress", "intake": Intake(
        intake_type="ansokan_sol", intake_type_label="Ansökan SoL", case_worker_id=case_worker,
        case_worker_name="Handläggare", organisation="Testenhet", from_whom="den_enskilde", at=case.submitted_at,
        by=f"case_worker:{case_worker}")})


def test_oldest_first_pages_up_through_the_window(ports):
    # GIVEN five cases over two statuses
    start, after, before = a_window()
    cases = [a_case(new_pnr(), start + timedelta(minutes=i), status=("submitted", "received")[i % 2]) for i in range(5)]
    submit(ports, *cases)
    # WHEN read oldest first two at a time THEN every case once, oldest first
    seen, cursor = [], None
    while True:
        page, cursor = ports.repos.inbox.page(status=None, category=None, after=after, before=before, limit=2,
                                              cursor=cursor, oldest_first=True)
        seen += [c.case_id for c in page]
        if cursor is None:
            break
    assert seen == [c.case_id for c in cases]


def test_a_case_workers_cases_and_their_count(ports):
    # GIVEN two cases taken in by one case worker, one by another, and a new one
    start, after, before = a_window()
    me, other = an_id("hl-"), an_id("hl-")
    mine = [taken_in_by(a_case(new_pnr(), start + timedelta(minutes=i)), me) for i in (1, 2)]
    theirs = taken_in_by(a_case(new_pnr(), start + timedelta(minutes=3)), other)
    submit(ports, *mine, theirs, a_case(new_pnr(), start + timedelta(minutes=4)))
    # WHEN listed for me THEN only mine, newest first; and counted
    found, _ = ports.repos.inbox.page(status=None, category=None, after=after, before=before, limit=10, cursor=None,
                                      case_worker=me)
    assert [c.case_id for c in found] == [mine[1].case_id, mine[0].case_id]
    assert ports.repos.inbox.count(status="in_progress", case_worker=me) == 2
    assert ports.repos.inbox.count(status="in_progress", case_worker=an_id("hl-")) == 0


def test_by_form_case_number_and_name_never_a_protected_person(ports):
    start, after, before = a_window()
    surname = an_id("Namn")
    named = a_case(new_pnr(), start + timedelta(minutes=1)).model_copy(update={
        "answers": {"om_dig": {"first_name": "Annika", "last_name": surname}}, "owner_name": ""})
    protected = a_case(new_pnr(), start + timedelta(minutes=2)).model_copy(update={
        "answers": {"om_dig": {"first_name": "Sam", "last_name": surname}}, "protected_identity": True})
    report = a_case(new_pnr(), start + timedelta(minutes=3)).model_copy(update={"form_id": "contact-monthly-report"})
    submit(ports, named, protected, report)
    window = {"status": None, "category": None, "after": after, "before": before, "limit": 10, "cursor": None}
    # a name as typed or in lower case (stored names are capitalised); a protected person never
    assert [c.case_id for c in ports.repos.inbox.page(**window, name=surname.lower())[0]] == [named.case_id]
    assert [c.case_id for c in ports.repos.inbox.page(**window, name="Sam")[0]] == []
    assert [c.case_id for c in ports.repos.inbox.page(**window, case_number=report.case_number)[0]] == [
        report.case_id]
    assert [c.case_id for c in ports.repos.inbox.page(**window, forms=frozenset({"contact-monthly-report"}))[0]] == [
        report.case_id]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_by_status_the_partitions_follow_one_another_newest_first_within_each(ports, order):
    # GIVEN six cases over three statuses
    start, after, before = a_window()
    statuses = ("submitted", "received", "closed")
    cases = [a_case(new_pnr(), start + timedelta(minutes=i), status=statuses[i % 3]) for i in range(6)]
    submit(ports, *cases)
    # WHEN read by status, two at a time
    seen, cursor = [], None
    while True:
        page, cursor = ports.repos.inbox.page(status=None, category=None, after=after, before=before, limit=2,
                                              cursor=cursor, by_status=order)
        seen += [c.case_id for c in page]
        if cursor is None:
            break
    # THEN status by status (new to closed, or back), newest first within each, every case once
    ranked = statuses if order == "asc" else tuple(reversed(statuses))
    expected = sorted(cases, key=lambda c: (ranked.index(c.status), -c.submitted_at.timestamp()))
    assert seen == [c.case_id for c in expected]


def test_a_case_number_finds_its_case_in_any_status_and_only_within_the_other_filters(ports):
    # GIVEN a case taken in by a case worker, among others in other statuses
    start, after, before = a_window()
    me = an_id("hl-")
    wanted = taken_in_by(a_case(new_pnr(), start + timedelta(minutes=2), category="Ledsagarservice"), me)
    submit(ports, a_case(new_pnr(), start + timedelta(minutes=1)), wanted,
           a_case(new_pnr(), start + timedelta(minutes=3), status="closed"))
    window = {"status": None, "category": None, "after": after, "before": before, "limit": 10, "cursor": None}
    # WHEN searched by its case number THEN that case alone, and no next page
    assert ports.repos.inbox.page(**window, case_number=wanted.case_number) == ([wanted], None)
    assert [c.case_id for c in ports.repos.inbox.page(**{**window, "status": "in_progress", "category": "Ledsagar"},
                                                      case_number=wanted.case_number, case_worker=me)[0]] == [
        wanted.case_id]
    # AND not when another filter excludes it, nor for a number nobody has
    for other in ({"status": "submitted"}, {"category": "Hemtjänst"}, {"before": after},
                  {"after": (start + timedelta(minutes=3)).isoformat()}):
        assert ports.repos.inbox.page(**{**window, **other}, case_number=wanted.case_number)[0] == [], other
    assert ports.repos.inbox.page(**window, case_number=wanted.case_number, case_worker=an_id("hl-"))[0] == []
    assert ports.repos.inbox.page(**window, case_number="2999-999999")[0] == []


@pytest.mark.parametrize("oldest_first", [False, True])
def test_pages_over_every_status_are_whole_when_partitions_interleave(ports, oldest_first):
    # GIVEN twelve cases over five statuses, interleaved in time, the newest in the last partition
    start, after, before = a_window()
    statuses = ("closed", "decided", "in_progress", "received", "submitted")
    cases = [a_case(new_pnr(), start + timedelta(minutes=i), status=statuses[(i * 3) % 5]) for i in range(12)]
    submit(ports, *cases)
    # WHEN read three at a time THEN every case once, in order, each page full until the last
    seen, cursor = [], None
    while True:
        page, cursor = ports.repos.inbox.page(status=None, category=None, after=after, before=before, limit=3,
                                              cursor=cursor, oldest_first=oldest_first)
        seen += [c.case_id for c in page]
        if cursor is None:
            break
        assert len(page) == 3
    ordered = cases if oldest_first else list(reversed(cases))
    assert seen == [c.case_id for c in ordered]


def test_a_sparse_filter_reads_on_until_the_page_is_full_and_pages_on(ports):
    # GIVEN forty new cases in an hour, of which only the three oldest are of a category
    start, after, before = a_window()
    word = an_id("Gles")
    cases = [a_case(new_pnr(), start + timedelta(minutes=i), category=f"Stöd: {word}" if i < 3 else "Hemtjänst")
             for i in range(40)]
    submit(ports, *cases)
    # WHEN that category is listed two at a time THEN the three, newest first, over two pages
    first, cursor = ports.repos.inbox.page(status="submitted", category=word, after=after, before=before, limit=2,
                                           cursor=None)
    rest, last = ports.repos.inbox.page(status="submitted", category=word, after=after, before=before, limit=2,
                                        cursor=cursor)
    assert [c.case_id for c in first + rest] == [cases[2].case_id, cases[1].case_id, cases[0].case_id]
    assert cursor is not None and last is None
