"""Relatives' approvals: the in-memory fake and the DynamoDB adapter on the moto server keep one
contract — found by the citizen and id, by the id alone, by the citizen and by the relative; in
force only inside their dates; a stale change loses."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.domain.relatives import RelativeApproval
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeApprovals
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the approval repository, a factory of units of work)."""
    if request.param == "memory":
        return FakeApprovals(), lambda: FakeUnitOfWork(source="eservices")
    request.getfixturevalue("aws")
    from services.eservices.adapters.relatives import DynamoApprovalRepository
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoApprovalRepository(table), units_of_work(table, "eservices")


def _approval(citizen: str, relative: str, valid_from: date = date(2026, 1, 1),
              valid_to: date | None = date(2026, 12, 31)) -> RelativeApproval:
    return RelativeApproval(citizen=citizen, citizen_first_name="Kari", citizen_last_name="Nordman",
                            relative=relative, relative_first_name="Kim", relative_last_name="Nordman",
                            valid_from=valid_from, valid_to=valid_to, created_by="case_worker:cw1", created_at=AT)


def _add(store, approval: RelativeApproval) -> RelativeApproval:
    approvals, unit_of_work = store
    uow = unit_of_work()
    approvals.add(uow, approval)
    uow.commit()
    return approval


def test_an_approval_is_found_by_its_citizen_and_id_and_by_its_id_alone(store):
    approvals, _ = store
    approval = _add(store, _approval(new_pnr(), new_pnr()))
    assert approvals.get(approval.citizen, approval.approval_id) == approval
    assert approvals.by_id(approval.approval_id) == approval
    assert approvals.find(approval.citizen, str(uuid.uuid4())) is None
    with pytest.raises(NotFound):
        approvals.by_id(str(uuid.uuid4()))
    with pytest.raises(NotFound):
        approvals.get(new_pnr(), approval.approval_id)


def test_approvals_are_listed_by_citizen_and_by_relative(store):
    approvals, _ = store
    citizen, relative, other = new_pnr(), new_pnr(), new_pnr()
    first = _add(store, _approval(citizen, relative))
    second = _add(store, _approval(citizen, other))
    third = _add(store, _approval(new_pnr(), relative))
    assert {a.approval_id for a in approvals.of_citizen(citizen)} == {first.approval_id, second.approval_id}
    assert {a.approval_id for a in approvals.of_relative(relative)} == {first.approval_id, third.approval_id}
    assert approvals.of_citizen(new_pnr()) == [] and approvals.of_relative(new_pnr()) == []


def test_the_approval_in_force_is_the_one_of_the_citizen_inside_its_dates(store):
    approvals, _ = store
    citizen, relative = new_pnr(), new_pnr()
    approval = _add(store, _approval(citizen, relative, date(2026, 3, 1), date(2026, 6, 30)))
    _add(store, _approval(new_pnr(), relative, date(2026, 1, 1), None))
    assert approvals.active_approval(citizen, relative, date(2026, 3, 1)) == approval
    assert approvals.active_approval(citizen, relative, date(2026, 6, 30)) == approval
    assert approvals.active_approval(citizen, relative, date(2026, 7, 1)) is None
    assert approvals.active_approval(citizen, new_pnr(), date(2026, 4, 1)) is None


def test_a_changed_approval_is_the_next_version_and_a_stale_change_loses(store):
    approvals, unit_of_work = store
    approval = _add(store, _approval(new_pnr(), new_pnr()))
    uow = unit_of_work()
    ended = approvals.replace(uow, approval.model_copy(update={"ended_at": AT}), expected_version=approval.version)
    uow.commit()
    assert approvals.get(approval.citizen, approval.approval_id) == ended and ended.version == approval.version + 1
    assert approvals.active_approval(approval.citizen, approval.relative, date(2026, 12, 1)) is None
    uow = unit_of_work()
    approvals.replace(uow, approval.model_copy(update={"note": "gammal"}), expected_version=approval.version)
    with pytest.raises(Conflict):
        uow.commit()
    # AND an approval added twice loses; one put is written whatever is stored (seeds)
    with pytest.raises(Conflict):
        _add(store, approval)
    approvals.put(approval)
    assert approvals.get(approval.citizen, approval.approval_id) == approval
