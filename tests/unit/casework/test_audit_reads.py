"""What a log search reads: a search by case reads the case's partition of the index by resource,
and a staff member's (a user in any role) the actor partitions of that user, never every shard of
every day of the period; the results and the cursor as before."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.auth.principal import Role
from services.eservices.casework.usecases import audit
from tests.support.fakes.casework import CaseworkDeps, casework_deps, staff
from tests.support.people import new_pnr

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
MONTH = {"start": NOW - timedelta(hours=1), "end": NOW + timedelta(days=31)}


@pytest.fixture
def deps() -> CaseworkDeps:
    return casework_deps(NOW)


def read(deps: CaseworkDeps, who, resource: str = "", *, days: int = 1) -> None:
    audit.trail(deps).read(who, "case.read", [new_pnr()], resource=resource)
    deps.clock.now += timedelta(days=days)


def every_page(deps: CaseworkDeps, limit: int, **kw) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        records, cursor = audit.trail(deps).page(person=None, limit=limit, cursor=cursor, **MONTH, **kw)
        pages.append([r.audit_id for r in records])
        if cursor is None:
            return pages


def test_a_search_by_case_reads_the_cases_index_partition_only(deps):
    # GIVEN a month of reads: a case's, one of its documents', and another case's between them
    for n in range(10):
        read(deps, staff(), "case:c-1" if n % 3 == 0 else "case:c-2")
    read(deps, staff(), "case:c-1/document:d-1")
    store = deps.audit
    store.reads.clear()
    # WHEN the auditor searches the month by the case
    records, cursor = audit.trail(deps).page(person=None, actor=None, resource="case:c-1", **MONTH)
    # THEN the case's five, oldest first, from the case's partition of the index by resource: no day read
    assert [r.resource for r in records] == ["case:c-1"] * 4 + ["case:c-1/document:d-1"] and cursor is None
    assert store.reads == [("gsi3", "case:c-1")]


def test_a_search_under_a_case_reads_the_cases_partition_and_keeps_what_lies_under(deps):
    read(deps, staff(), "case:c-1")
    read(deps, staff(), "case:c-1/document:d-1")
    read(deps, staff(), "case:c-1/document:d-2")
    deps.audit.reads.clear()
    records, _ = audit.trail(deps).page(person=None, actor=None, resource="case:c-1/document:d-1", **MONTH)
    assert [r.resource for r in records] == ["case:c-1/document:d-1"]
    assert deps.audit.reads == [("gsi3", "case:c-1")]


def test_a_search_by_case_pages_as_before(deps):
    # GIVEN seven reads of a case among others, and one by an ordering unit
    for n in range(12):
        read(deps, staff(role=Role.ORDERING_UNIT) if n == 6 else staff(), "case:c-1" if n % 2 == 0 else "case:c-9")
    everything = [r for r in deps.audit.records if r.resource == "case:c-1"]
    # WHEN read two at a time, and by role too THEN the pages follow one another, the last saying so
    assert every_page(deps, 2, actor=None, resource="case:c-1") == [
        [r.audit_id for r in everything[i:i + 2]] for i in range(0, 6, 2)]
    assert every_page(deps, 2, actor="case_worker", resource="case:c-1") == [
        [r.audit_id for r in everything if r.actor_role == "case_worker"][i:i + 2] for i in range(0, 6, 2)]
    assert {r for r in deps.audit.reads if r[0] == "days"} == set()


def test_a_search_by_user_reads_that_users_actor_partitions_and_merges_them_oldest_first(deps):
    # GIVEN Anna's reads as a case worker and as an ordering unit, taking turns, and Bo's
    for n in range(6):
        read(deps, staff("hl-anna", "Anna", Role.ORDERING_UNIT if n % 2 else Role.CASE_WORKER), "case:c-1")
        read(deps, staff("hl-bo", "Bo"), "case:c-1")
    annas = [r.audit_id for r in deps.audit.records if r.actor.endswith(":hl-anna")]
    deps.audit.reads.clear()
    # WHEN searched by her user id, at once and two at a time
    at_once = every_page(deps, 50, actor=None, user="hl-anna")
    # THEN hers in both roles, oldest first; the pages follow one another
    assert at_once == [annas]
    assert every_page(deps, 2, actor=None, user="hl-anna") == [annas[0:2], annas[2:4], annas[4:6]]
    # AND only her actor partitions were read, one a role
    assert {r[0] for r in deps.audit.reads} == {"gsi2"}
    assert {r[1] for r in deps.audit.reads} == {f"{role}:hl-anna" for role in Role}
