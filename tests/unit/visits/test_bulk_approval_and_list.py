"""Godkänn markerade (``bulk_approval.approve_many``) and the filtered list (``visit_list``) over the
in-memory fakes: each marked visit approved or refused with why, and a page that reads no more of the
month than it needs."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Forbidden
from services.visits.usecases.bulk_approval import approve_many
from services.visits.usecases.visit_list import VisitFilter, visit_list, visit_detail
from tests.unit.visits.test_use_cases import COORDINATOR, MORNING, NOW, PROVIDER, event, ingest, new_client, visits

MANUAL = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}
NOVEMBER = VisitFilter(day_from=date(2026, 11, 1), day_to=date(2026, 11, 30))


@pytest.fixture
def deps():
    from tests.support.fakes.visits import fake_visits_deps

    deps = fake_visits_deps(clock=lambda: NOW)
    for user in ("anna", "bo", "cora"):
        deps.staff.add_staff(PROVIDER, user)
    return deps


def one(deps, hours=0, staff_id="anna", **extra):
    pnr, tag = new_client(deps)
    start = MORNING + timedelta(hours=hours)
    assert ingest(deps, [event("arrival", pnr, tag, start, staff_id=staff_id, **extra),
                         event("departure", pnr, tag, start + timedelta(minutes=30), staff_id=staff_id)]) == set()
    (v,) = visits(deps, pnr)
    return v


def _client_of(deps, view):
    return str(deps.days.get_visit(view.visit_id).client)


class TestApproveMany:
    def test_each_marked_visit_is_approved_or_refused_with_its_reason(self, deps):
        # GIVEN a plain visit, one waiting for the case worker (red), one the coordinator performed
        plain, waiting, own = one(deps), one(deps, 2, **MANUAL), one(deps, 4, staff_id="cora")
        # WHEN the coordinator approves all three, one twice and one unknown
        done = approve_many(deps, COORDINATOR, [(plain.visit_id, plain.version), (plain.visit_id, plain.version),
                                                (waiting.visit_id, waiting.version), (own.visit_id, own.version),
                                                ("nope-1", 1)], "Kontrollerat")
        # THEN only the plain one is approved, with the reason; the others say why not
        assert [v.visit_id for v in done.approved] == [plain.visit_id]
        assert done.approved[0].history[-1].why == "Kontrollerat"
        why = {r.visit_id: (r.code, r.kinds) for r in done.refused}
        assert why == {waiting.visit_id: ("red_exception", ("waiting_for_case_worker",)),
                       own.visit_id: ("own", ()), "nope-1": ("not_found", ())}

    def test_a_visit_on_a_day_the_client_is_registered_absent_is_refused(self, deps):
        from services.visits.schemas import RegisterAbsence
        from services.visits.usecases.absences import register_absence

        v = one(deps)
        register_absence(deps, COORDINATOR, RegisterAbsence(client=_client_of(deps, v), kind="hospital",
                                                            starts_on=MORNING.date(), learned_at=NOW))
        done = approve_many(deps, COORDINATOR, [(v.visit_id, v.version)], "ok ok")
        assert done.approved == [] and (done.refused[0].code, done.refused[0].kinds) == ("red_exception",
                                                                                         ("absent_day",))

    def test_a_stale_version_and_an_approved_visit_are_refused_and_nothing_changes(self, deps):
        v = one(deps)
        done = approve_many(deps, COORDINATOR, [(v.visit_id, v.version + 1)], "ok ok")
        assert done.approved == [] and done.refused[0].code == "stale"
        first = approve_many(deps, COORDINATOR, [(v.visit_id, v.version)], "ok ok")
        again = approve_many(deps, COORDINATOR, [(v.visit_id, first.approved[0].version)], "ok ok")
        assert again.refused[0].code == "not_registered"

    def test_another_providers_visit_is_not_found(self, deps):
        v = one(deps)
        other = Principal(subject="x", role=Role.PROVIDER_COORDINATOR, user_id="x", provider_id="prov-other")
        done = approve_many(deps, other, [(v.visit_id, v.version)], "ok ok")
        assert done.refused[0].code == "not_found" and done.refused[0].visit is None

    def test_a_caller_without_a_user_is_refused(self, deps):
        nobody = Principal(subject="s", role=Role.PROVIDER_COORDINATOR, provider_id=PROVIDER)
        with pytest.raises(Forbidden):
            approve_many(deps, nobody, [], "ok ok")


class TestVisitList:
    def test_filters_by_staff_receipt_and_exception(self, deps):
        a, b = one(deps), one(deps, 2, staff_id="bo", **MANUAL)

        def ids(**f):
            return {x.visit.visit_id for x in visit_list(deps, COORDINATOR, VisitFilter(
                day_from=date(2026, 11, 1), day_to=date(2026, 11, 30), **f)).rows}

        assert ids() == {a.visit_id, b.visit_id}
        assert ids(staff_id="bo") == {b.visit_id}
        assert ids(receipt="manual") == {b.visit_id}  # a visit with any receipt of the kind
        assert ids(receipt="nfc") == {a.visit_id, b.visit_id} and ids(receipt="digital_lock") == set()
        assert ids(exception="waiting_for_case_worker") == {b.visit_id}
        assert ids(status="approved") == set()

    def test_pages_read_only_what_they_show_and_the_cursor_goes_on(self, deps):
        made = [one(deps, h) for h in range(5)]
        reads = []
        original = deps.days.visits_page

        def counted(*a, **kw):
            found, cursor = original(*a, **kw)
            reads.append(len(found))
            return found, cursor

        deps.days.visits_page = counted
        first = visit_list(deps, COORDINATOR, NOVEMBER, limit=2)
        assert len(first.rows) == 2 and first.cursor and sum(reads) == 2
        second = visit_list(deps, COORDINATOR, NOVEMBER, limit=2, cursor=first.cursor)
        third = visit_list(deps, COORDINATOR, NOVEMBER, limit=2, cursor=second.cursor)
        seen = [x.visit.visit_id for page in (first, second, third) for x in page.rows]
        assert sorted(seen) == sorted(v.visit_id for v in made) and third.cursor is None

    def test_a_range_spans_at_most_two_months(self, deps):
        from services.domain.errors import ValidationFailed

        with pytest.raises(ValidationFailed):
            visit_list(deps, COORDINATOR, VisitFilter(day_from=date(2026, 10, 1), day_to=date(2026, 12, 31)))

    def test_the_detail_holds_the_events_and_exceptions_and_is_scoped(self, deps):
        v = one(deps, **MANUAL)
        found = visit_detail(deps, COORDINATOR, v.visit_id)
        assert [e.type for e in found.events] == ["arrival", "departure"]
        assert "waiting_for_case_worker" in found.exceptions
        from services.domain.errors import NotFound

        with pytest.raises(NotFound):
            visit_detail(deps, Principal(subject="x", role=Role.PROVIDER_COORDINATOR, user_id="x",
                                         provider_id="prov-other"), v.visit_id)


def test_a_cursor_the_list_never_handed_out_is_refused(deps):
    from services.domain.errors import ValidationFailed
    from services.visits.paging import encode_cursor

    for forged in ({"m": 7}, {"m": 0, "c": {"day": 1, "skip": "x"}}, {"m": "0"}):
        with pytest.raises(ValidationFailed):
            visit_list(deps, COORDINATOR, NOVEMBER, cursor=encode_cursor(forged))
