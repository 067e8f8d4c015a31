"""The e-services' case repository and case numbers: the in-memory fakes and the DynamoDB adapters
on the moto server keep one contract — found as stored, someone else's case is "not found", a
person's cases newest first, a stale version loses, numbers unique per year."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.domain.cases import Case, StatusChange
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeCaseNumbers, FakeCases
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the case repository, a factory of units of work)."""
    if request.param == "memory":
        return FakeCases(), lambda: FakeUnitOfWork(source="eservices")
    request.getfixturevalue("aws")
    from services.eservices.adapters.cases import DynamoCaseRepository
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoCaseRepository(table), units_of_work(table, "eservices")


@pytest.fixture(params=["memory", "dynamodb"])
def numbers(request):
    if request.param == "memory":
        return FakeCaseNumbers()
    request.getfixturevalue("aws")
    from services.eservices.adapters.cases import DynamoCaseNumbers
    from services.eservices.adapters.table import eservices_table

    return DynamoCaseNumbers(eservices_table())


def _case(owner: str, submitted_at: datetime = AT) -> Case:
    return Case(case_id=str(uuid.uuid4()), case_number=f"2026-{uuid.uuid4().int % 10**6:06d}",
                form_id="support-application", title="Ansökan om stöd", category="LSS", owner=owner,
                submitted_by=owner, submitted_at=submitted_at,
                history=[StatusChange(status="submitted", at=submitted_at, by="citizen")],
                answers={"om_dig": {"first_name": "Kari", "hours": 1.5, "count": 3}},
                computed={"total_hours": 12.25})


def _add(store, case: Case) -> None:
    cases, unit_of_work = store
    uow = unit_of_work()
    cases.add(uow, case)
    uow.commit()


def test_an_added_case_is_found_as_it_was_given_and_an_unknown_one_is_not(store):
    cases, _ = store
    case = _case(new_pnr())
    _add(store, case)
    assert cases.get(case.case_id) == case
    assert cases.find(case.case_id) == case
    # AND a case nobody added is nothing, or NotFound
    assert cases.find(str(uuid.uuid4())) is None
    with pytest.raises(NotFound):
        cases.get(str(uuid.uuid4()))


def test_a_case_added_twice_loses_the_second_time(store):
    cases, unit_of_work = store
    case = _case(new_pnr())
    _add(store, case)
    uow = unit_of_work()
    cases.add(uow, case.model_copy(update={"title": "Annan"}))
    with pytest.raises(Conflict):
        uow.commit()
    assert cases.get(case.case_id).title == "Ansökan om stöd"


def test_a_case_is_found_by_its_case_number_and_a_number_is_never_given_to_two_cases(store):
    # GIVEN a case
    cases, unit_of_work = store
    case = _case(new_pnr())
    _add(store, case)
    # WHEN looked up by its case number THEN it; an unknown number is nothing
    assert cases.by_case_number(case.case_number) == case
    assert cases.by_case_number("2999-999999") is None
    # AND another case with the same number is refused, and nothing of it is stored
    other = _case(new_pnr()).model_copy(update={"case_number": case.case_number})
    uow = unit_of_work()
    cases.add(uow, other)
    with pytest.raises(Conflict):
        uow.commit()
    assert cases.find(other.case_id) is None and cases.by_case_number(case.case_number) == case


def test_a_persons_own_case_is_theirs_and_someone_elses_is_not_found_in_swedish(store):
    cases, _ = store
    owner, other = new_pnr(), new_pnr()
    case = _case(owner)
    _add(store, case)
    assert cases.get_owned(case.case_id, owner) == case
    for ident, who in ((case.case_id, other), (str(uuid.uuid4()), owner)):
        with pytest.raises(NotFound) as refused:
            cases.get_owned(ident, who)
        assert str(refused.value) == "Ärendet finns inte"


def test_a_persons_cases_are_listed_newest_first_and_nobody_elses(store):
    cases, _ = store
    owner = new_pnr()
    older, newer = _case(owner, AT - timedelta(days=3)), _case(owner, AT)
    _add(store, older)
    _add(store, newer)
    _add(store, _case(new_pnr()))
    assert [c.case_id for c in cases.of_person(owner)] == [newer.case_id, older.case_id]
    assert cases.of_person(new_pnr()) == []


def test_a_changed_case_is_the_next_version_and_a_stale_change_loses(store):
    cases, unit_of_work = store
    case = _case(new_pnr())
    _add(store, case)
    received = case.moved_to("received", AT + timedelta(hours=1), "case_worker:cw1")
    uow = unit_of_work()
    saved = cases.save_in(uow, received, expected_version=case.version)
    uow.commit()
    assert saved.version == case.version + 1
    assert cases.get(case.case_id) == saved
    # AND a change made from the version read before loses, and leaves the case as it was
    uow = unit_of_work()
    cases.save_in(uow, case.model_copy(update={"title": "Gammal"}), expected_version=case.version)
    with pytest.raises(Conflict):
        uow.commit()
    assert cases.get(case.case_id) == saved


def test_a_change_only_if_a_stored_attribute_still_holds(store):
    cases, unit_of_work = store
    case = _case(new_pnr())
    _add(store, case)
    uow = unit_of_work()
    cases.replace(uow, case.model_copy(update={"title": "Ny"}), expected_version=case.version,
                  only_if={"status": "received"})
    with pytest.raises(Conflict):
        uow.commit()
    uow = unit_of_work()
    cases.replace(uow, case.model_copy(update={"title": "Ny"}), expected_version=case.version,
                  only_if={"status": "submitted"})
    uow.commit()
    assert cases.get(case.case_id).title == "Ny"


def test_case_numbers_are_readable_and_follow_each_other_within_a_year(numbers):
    year = 2400 + uuid.uuid4().int % 500  # a year of its own: the moto server is shared
    first, second = numbers.next(year), numbers.next(year)
    assert re.fullmatch(rf"{year}-\d{{6}}", first) and re.fullmatch(rf"{year}-\d{{6}}", second)
    assert int(second.split("-")[1]) == int(first.split("-")[1]) + 1
    # AND each year counts on its own
    assert numbers.next(year + 1) == f"{year + 1}-000001"
