"""The e-services' draft repository: the in-memory fake and the DynamoDB adapter on the moto server
keep one contract — found as saved, a stale or submitted draft loses, a reminder keeps the version,
a person's open drafts last saved first, the sweep finds what expires from the day it starts."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.domain.drafts import CHANGED_ELSEWHERE, Draft
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeDrafts
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the draft repository, a factory of units of work)."""
    if request.param == "memory":
        return FakeDrafts(), lambda: FakeUnitOfWork(source="eservices")
    request.getfixturevalue("aws")
    from services.eservices.adapters.drafts import DynamoDraftRepository
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoDraftRepository(table), units_of_work(table, "eservices")


def _draft(owner: str, now: datetime = AT, retention_days: int = 30) -> Draft:
    return Draft.start("contact-monthly-report", owner, owner, now, retention_days,
                       {"om_dig": {"first_name": "Kari", "hours": 2.5, "count": 4}})


def test_a_started_draft_is_found_as_it_was_given_and_an_unknown_one_is_not_in_swedish(store):
    drafts, _ = store
    draft = drafts.add_now(_draft(new_pnr()))
    assert drafts.get(draft.owner, draft.draft_id) == draft
    assert drafts.find(draft.owner, str(uuid.uuid4())) is None
    with pytest.raises(NotFound) as missing:
        drafts.get(draft.owner, str(uuid.uuid4()))
    assert str(missing.value) == "Utkastet finns inte"
    # AND the same draft started twice loses
    with pytest.raises(Conflict):
        drafts.add_now(draft)


def test_a_saved_draft_is_the_next_version_and_a_stale_save_loses_in_swedish(store):
    drafts, _ = store
    draft = drafts.add_now(_draft(new_pnr()))
    saved = drafts.save(draft.model_copy(update={"answers": {"om_dig": {"first_name": "Kim"}}}), draft.version)
    assert saved.version == draft.version + 1
    assert drafts.get(draft.owner, draft.draft_id) == saved
    with pytest.raises(Conflict) as stale:
        drafts.save(draft.model_copy(update={"answers": {}}), draft.version)
    assert str(stale.value) == CHANGED_ELSEWHERE
    assert drafts.get(draft.owner, draft.draft_id) == saved


def test_a_submitted_draft_is_no_longer_open_saved_listed_or_swept(store):
    drafts, unit_of_work = store
    owner = new_pnr()
    draft = drafts.add_now(_draft(owner))
    uow = unit_of_work()
    submitted = drafts.submit(uow, draft, "case-1")
    uow.commit()
    stored = drafts.get(owner, draft.draft_id)
    assert stored == submitted and (stored.status, stored.case_id) == ("submitted", "case-1")
    assert drafts.list_open(owner) == []
    assert [d for d in drafts.expiring_before(AT + timedelta(days=60), since=AT) if d.owner == owner] == []
    with pytest.raises(Conflict):
        drafts.save(stored.model_copy(update={"answers": {}}), stored.version)
    # AND submitting it again (a double click) loses
    uow = unit_of_work()
    drafts.submit(uow, draft, "case-2")
    with pytest.raises(Conflict):
        uow.commit()


def test_a_persons_open_drafts_are_listed_last_saved_first(store):
    drafts, _ = store
    owner = new_pnr()
    first = drafts.add_now(_draft(owner, AT - timedelta(days=2)))
    second = drafts.add_now(_draft(owner, AT - timedelta(days=1)))
    drafts.add_now(_draft(new_pnr()))
    assert [d.draft_id for d in drafts.list_open(owner)] == [second.draft_id, first.draft_id]
    resaved = drafts.save(first.model_copy(update={"updated_at": AT}), first.version)
    assert [d.draft_id for d in drafts.list_open(owner)] == [resaved.draft_id, second.draft_id]


def test_a_reminder_keeps_the_version_and_loses_to_a_save_made_meanwhile(store):
    drafts, unit_of_work = store
    draft = drafts.add_now(_draft(new_pnr()))
    uow = unit_of_work()
    drafts.mark_reminded(uow, draft)
    uow.commit()
    reminded = drafts.get(draft.owner, draft.draft_id)
    assert reminded.reminded is True and reminded.version == draft.version
    saved = drafts.save(reminded.model_copy(update={"reminded": False}), reminded.version)
    uow = unit_of_work()
    drafts.mark_reminded(uow, reminded)
    with pytest.raises(Conflict):
        uow.commit()
    assert drafts.get(draft.owner, draft.draft_id) == saved


def test_a_deleted_draft_is_gone_and_a_stale_delete_loses(store):
    drafts, _ = store
    draft = drafts.add_now(_draft(new_pnr()))
    saved = drafts.save(draft.model_copy(update={"answers": {}}), draft.version)
    with pytest.raises(Conflict):
        drafts.delete(draft)
    drafts.delete(saved)
    assert drafts.find(draft.owner, draft.draft_id) is None
    with pytest.raises(Conflict):
        drafts.delete(saved)


def test_the_sweep_finds_open_drafts_expiring_before_an_instant_from_the_day_it_starts(store):
    drafts, _ = store
    owner = new_pnr()
    # expiring (retention 30 days from the start): 6 days ago, 1 hour ago, in 2 days, in 40 days
    long_ago = drafts.add_now(_draft(owner, AT - timedelta(days=36)))
    just_now = drafts.add_now(_draft(owner, AT - timedelta(days=30, hours=1)))
    soon = drafts.add_now(_draft(owner, AT - timedelta(days=28)))
    drafts.add_now(_draft(owner, AT + timedelta(days=10)))

    def mine(found: list[Draft]) -> set[str]:
        return {d.draft_id for d in found if d.owner == owner}

    assert mine(drafts.expiring_before(AT, since=AT - timedelta(days=7))) == {long_ago.draft_id, just_now.draft_id}
    assert mine(drafts.expiring_before(AT + timedelta(days=3), since=AT - timedelta(days=1))) == {
        just_now.draft_id, soon.draft_id}
    # AND without ``since`` the sweep looks a week back
    assert mine(drafts.expiring_before(AT)) == {long_ago.draft_id, just_now.draft_id}
    assert drafts.get(owner, soon.draft_id) == soon
