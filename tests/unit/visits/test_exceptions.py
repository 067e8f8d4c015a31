"""Exceptions, triaged (issue "Providers' pages"): the rules of resolutions, and the use cases
(resolve, the month's list, the reasons' statistics, approval refused while a red one is
unresolved) on the in-memory repository."""
import uuid
from datetime import date, timedelta

import pytest

from services.auth.principal import Principal, Role
from services.contracts.events import VisitChangedV2
from services.domain.errors import Conflict, Forbidden, NotFound, PeriodLocked, ValidationFailed
from services.visits.domain.exceptions import (RED, RESOLVED_BY_REASON, codes_for, reason_codes, reason_error,
                                               resolution_refusal, resolved, visit_exceptions)
from services.visits.domain.model import Absence, Change, Deviation, Device, Resolution, VisitEvent, VisitReceipt
from services.visits.schemas import EditVisit, Reasoned
from services.visits.usecases.approval import approve
from services.visits.usecases.edits import edit
from services.visits.usecases.exceptions import exceptions_of_month, reason_statistics, resolve
from tests.support.fakes.visits import fake_visits_deps
from tests.unit.visits.test_use_cases import MORNING, NOW, PROVIDER, event, ingest, new_client, staff, visits

COORDINATOR = Principal(subject="cora", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id=PROVIDER)
MANAGER = Principal(subject="vera", role=Role.PROVIDER_MANAGER, user_id="vera", provider_id=PROVIDER)
OTHERS = Principal(subject="olle", role=Role.PROVIDER_COORDINATOR, user_id="olle", provider_id="prov-other")
MANUAL = VisitReceipt(method="manual", manual_reason="technical_fault")


@pytest.fixture
def deps():
    deps = fake_visits_deps(clock=lambda: NOW)
    for user in ("anna", "bo", "cora"):
        deps.staff.add_staff(PROVIDER, user)
    return deps


def a_visit(deps, start=MORNING, minutes=30, staff_id="anna", client=None, manual=False):
    pnr, tag = client or new_client(deps)
    arrival = event("arrival", pnr, tag, start, staff_id=staff_id)
    if manual:
        arrival = arrival.model_copy(update={"receipt": MANUAL})
    assert ingest(deps, [arrival, event("departure", pnr, tag, start + timedelta(minutes=minutes),
                                        staff_id=staff_id)]) == set()
    return next(v for v in visits(deps, pnr) if v.started_at == start)


def overlapping_pair(deps):
    """GIVEN anna's two visits at two clients, the second starting before the first ended."""
    return a_visit(deps), a_visit(deps, start=MORNING + timedelta(minutes=15))


def absent_on_the_day(deps, pnr):
    deps.absences.add_absence(Absence(provider_id=PROVIDER, client=pnr, kind="hospital",
                                      starts_on=date(2026, 11, 18), ends_on=None, learned_at=NOW,
                                      registered_by="cora", registered_at=NOW), None, NOW)


def month(deps, who=COORDINATOR, **kw):
    return exceptions_of_month(deps, who, 2026, 11, **kw)


class TestRules:
    def test_the_kinds_a_reason_resolves_and_those_only_the_data_does(self):
        # THEN every red kind is resolved either by a reason or by the data, never both
        by_data = {k for k in RED if resolution_refusal(k)}
        assert by_data == {"missing_arrival", "missing_departure", "waiting_for_case_worker"}
        assert by_data | RESOLVED_BY_REASON == RED and not by_data & RESOLVED_BY_REASON
        assert "PATCH /visits/{visit_id}" in resolution_refusal("missing_departure")
        assert "case worker's decision" in resolution_refusal("waiting_for_case_worker")
        assert "unknown" in resolution_refusal("nonsense")

    def test_a_code_must_apply_to_the_kind_and_other_needs_text(self):
        assert reason_error("overlap", "lock_failed", "")[0] == "code"
        assert reason_error("overlap", "time_checked", "") is None
        assert reason_error("absent_day", "other", "  ")[0] == "text"
        assert reason_error("absent_day", "other", "kunden kom hem") is None
        assert reason_error("edited", "other", "x" * 501)[0] == "text"
        assert {c.code for c in codes_for("absent_day")} == {"client_returned_early", "absence_wrong", "other"}

    def test_every_grey_and_reason_resolved_kind_has_a_code_of_its_own_besides_other(self):
        from services.visits.domain.exceptions import KINDS
        for kind in [k for k in KINDS if resolution_refusal(k) is None]:
            assert [c for c in codes_for(kind) if c.code != "other"], kind
        assert reason_codes()["lock_failed"].device and not reason_codes()["other"].device

    def test_a_resolution_hides_its_kind_and_a_later_edit_reopens_an_acknowledged_edit(self, deps):
        v = a_visit(deps)
        visit = deps.days.get_visit(v.visit_id).model_copy(update={
            "edited": True, "version": 3, "source": "post_registration",
            "history": [Change(version=2, change="edited", by="x", at=NOW)],
            "resolutions": [Resolution(kind="edited", code="time_checked", by="c", at=NOW, version=3),
                            Resolution(kind="post_registration", code="phone_failed", by="c", at=NOW, version=3)]})
        # GIVEN an edit and a post-registration acknowledged after the edit: THEN neither is listed
        assert visit_exceptions(visit, NOW) == []
        # WHEN the visit is edited again THEN the edit is to acknowledge again; the post-registration holds
        again = visit.model_copy(update={"history": [*visit.history, Change(version=4, change="edited", by="x",
                                                                             at=NOW)]})
        assert visit_exceptions(again, NOW) == ["edited"] and resolved(again) == {"post_registration"}

    def test_a_manual_receipt_without_reason_is_red_until_resolved(self, deps):
        v = deps.days.get_visit(a_visit(deps).visit_id)
        blank = v.model_copy(update={"deviations": [Deviation(code="manual_receipt", reason=" ", by="anna", at=NOW)]})
        assert visit_exceptions(blank, NOW) == ["manual_without_reason"]
        done = blank.model_copy(update={"resolutions": [Resolution(kind="manual_without_reason", code="lock_failed",
                                                                   by="c", at=NOW, version=1)]})
        assert visit_exceptions(done, NOW) == []


class TestResolve:
    def test_an_overlap_blocks_approval_until_resolved_with_a_reason(self, deps):
        first, second = overlapping_pair(deps)
        # WHEN the coordinator approves the first THEN it is refused, naming the overlap
        with pytest.raises(Conflict, match="unresolved red exceptions: overlap"):
            approve(deps, COORDINATOR, first.visit_id, Reasoned(reason="stämmer", version=first.version))
        # WHEN the coordinator resolves the overlap with "time_checked"
        deps.days.published.clear()
        saved = resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version)
        # THEN the visit's history says who resolved what and why, consumers see an update, and it can be approved
        change = saved.history[-1]
        assert (change.change, change.user_id, change.version) == ("resolved", "cora", first.version + 1)
        assert change.why.startswith("overlap: time_checked")
        assert [(e.visit_id, e.change) for e in deps.days.published if isinstance(e, VisitChangedV2)] == [
            (first.visit_id, "updated")]
        assert (saved.resolutions[0].kind, saved.resolutions[0].by) == ("overlap", "provider_coordinator:cora")
        done = approve(deps, COORDINATOR, first.visit_id, Reasoned(reason="stämmer", version=saved.version))
        assert done.status == "approved"
        # AND the other visit still has its own overlap to resolve
        with pytest.raises(Conflict, match="overlap"):
            approve(deps, COORDINATOR, second.visit_id, Reasoned(reason="stämmer", version=second.version))

    def test_a_visit_on_an_absent_day_is_red_and_resolved_by_its_code(self, deps):
        client = new_client(deps)
        v = a_visit(deps, client=client)
        absent_on_the_day(deps, client[0])
        with pytest.raises(Conflict, match="absent_day"):
            approve(deps, COORDINATOR, v.visit_id, Reasoned(reason="stämmer", version=v.version))
        with pytest.raises(ValidationFailed) as refused:
            resolve(deps, COORDINATOR, v.visit_id, "absent_day", "time_checked", "", v.version)
        assert refused.value.errors[0].field == "code"
        saved = resolve(deps, MANAGER, v.visit_id, "absent_day", "client_returned_early", "", v.version)
        assert approve(deps, COORDINATOR, v.visit_id, Reasoned(reason="stämmer", version=saved.version)).status == "approved"

    def test_other_needs_a_text_and_a_bad_one_stores_nothing(self, deps):
        first, _ = overlapping_pair(deps)
        with pytest.raises(ValidationFailed) as refused:
            resolve(deps, COORDINATOR, first.visit_id, "overlap", "other", "no", first.version)
        assert refused.value.errors[0].field == "text"
        assert deps.days.get_visit(first.visit_id).version == first.version
        saved = resolve(deps, COORDINATOR, first.visit_id, "overlap", "other", "  Två besök samtidigt, båda rätt ",
                        first.version)
        assert saved.resolutions[0].text == "Två besök samtidigt, båda rätt"

    def test_a_reason_is_refused_for_what_only_the_data_resolves(self, deps):
        v = a_visit(deps, manual=True)  # a manual receipt waits for the case worker
        with pytest.raises(ValidationFailed, match="case worker's decision"):
            resolve(deps, COORDINATOR, v.visit_id, "waiting_for_case_worker", "other", "vill godkänna", v.version)
        with pytest.raises(ValidationFailed, match="editing the visit's end"):
            resolve(deps, COORDINATOR, v.visit_id, "missing_departure", "other", "glömde", v.version)

    def test_only_a_present_kind_at_the_version_read_in_an_open_month(self, deps):
        v = a_visit(deps)
        with pytest.raises(Conflict, match="no unresolved overlap"):
            resolve(deps, COORDINATOR, v.visit_id, "overlap", "time_checked", "", v.version)
        first, _ = overlapping_pair(deps)
        with pytest.raises(Conflict, match="reload"):
            resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version + 1)
        resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version)
        with pytest.raises(Conflict, match="no unresolved overlap"):  # resolved once, not twice
            resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version + 1)
        later = fake_visits_deps(days=deps.days, devices=deps.devices, staff=deps.staff, grants=deps.grants,
                                 clock=lambda: NOW + timedelta(days=40))
        with pytest.raises(PeriodLocked):
            resolve(later, COORDINATOR, first.visit_id, "overlap", "other", "för sent", first.version + 1)

    def test_who_may_resolve(self, deps):
        first, _ = overlapping_pair(deps)
        # another provider's coordinator: not found; staff and case workers: refused
        with pytest.raises(NotFound):
            resolve(deps, OTHERS, first.visit_id, "overlap", "time_checked", "", first.version)
        for who in (staff(), Principal(subject="hl", role=Role.CASE_WORKER, user_id="hl")):
            with pytest.raises(Forbidden):
                resolve(deps, who, first.visit_id, "overlap", "time_checked", "", first.version)

    def test_nobody_resolves_a_red_exception_of_their_own_visit_but_may_acknowledge_a_grey_one(self, deps):
        # GIVEN the coordinator performed two overlapping visits, one with a manual receipt
        mine = a_visit(deps, staff_id="cora", manual=True)
        a_visit(deps, staff_id="cora", start=MORNING + timedelta(minutes=10))
        with pytest.raises(Forbidden, match="red exception"):
            resolve(deps, COORDINATOR, mine.visit_id, "overlap", "time_checked", "", mine.version)
        saved = resolve(deps, COORDINATOR, mine.visit_id, "manual_receipt", "lock_failed", "", mine.version)
        assert "manual_receipt" not in visit_exceptions(saved, NOW)
        assert resolve(deps, MANAGER, mine.visit_id, "overlap", "time_checked", "", saved.version).version == \
            saved.version + 1

    def test_an_edit_after_an_acknowledged_edit_asks_again(self, deps):
        v = a_visit(deps)
        edited = edit(deps, staff("bo"), v.visit_id, EditVisit(reason="fel tid", version=v.version,
                                                               ended_at=MORNING + timedelta(minutes=25)))
        assert "edited" in visit_exceptions(deps.days.get_visit(v.visit_id), NOW)
        acked = resolve(deps, COORDINATOR, v.visit_id, "edited", "time_checked", "", edited.version)
        assert "edited" not in visit_exceptions(acked, NOW)
        edit(deps, staff("bo"), v.visit_id, EditVisit(reason="igen", version=acked.version,
                                                      ended_at=MORNING + timedelta(minutes=20)))
        assert "edited" in visit_exceptions(deps.days.get_visit(v.visit_id), NOW)


class TestMonth:
    def test_the_month_lists_unresolved_kinds_with_overlaps_absences_and_orphan_departures(self, deps):
        first, second = overlapping_pair(deps)
        client = new_client(deps)
        away = a_visit(deps, client=client, start=MORNING + timedelta(hours=3), staff_id="bo")
        absent_on_the_day(deps, client[0])
        plain = a_visit(deps, start=MORNING + timedelta(hours=6))
        pnr, tag = new_client(deps)
        assert ingest(deps, [event("departure", pnr, tag, MORNING + timedelta(hours=8))]) == set()
        # WHEN the coordinator lists the month
        found = month(deps)
        # THEN each visit with an exception, in time order, with its kinds; the orphan departure as missing_arrival
        assert [(r.visit.visit_id if r.visit else "orphan", r.kinds) for r in found.rows] == [
            (first.visit_id, ["overlap"]), (second.visit_id, ["overlap"]), (away.visit_id, ["absent_day"]),
            ("orphan", ["missing_arrival"])]
        assert plain.visit_id not in {r.key for r in found.rows}
        assert found.counts == {"overlap": 2, "absent_day": 1, "missing_arrival": 1}
        # AND a resolved one is gone from the list
        resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version)
        assert first.visit_id not in {r.key for r in month(deps).rows}

    def test_filters_and_pages(self, deps):
        first, second = overlapping_pair(deps)
        client = new_client(deps)
        away = a_visit(deps, client=client, start=MORNING + timedelta(hours=3), staff_id="bo", manual=True)
        absent_on_the_day(deps, client[0])
        assert month(deps, severity="grey").rows[0].kinds == ["manual_receipt"]
        assert [r.key for r in month(deps, kind="absent_day").rows] == [away.visit_id]
        assert [r.key for r in month(deps, client=str(client[0])).rows] == [away.visit_id]
        assert month(deps, kind="long_visit").rows == []
        with pytest.raises(ValidationFailed):
            month(deps, kind="nonsense")
        # WHEN paged one row at a time THEN every row once, in order
        seen, cursor = [], None
        while True:
            page = month(deps, limit=1, cursor=cursor)
            seen += [r.key for r in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [first.visit_id, second.visit_id, away.visit_id]

    def test_a_page_reads_the_month_once_whatever_its_size(self, deps):
        for n in range(6):
            a_visit(deps, start=MORNING + timedelta(hours=n, minutes=n * 5 % 40))
        reads = []
        inner = deps.days.visits_of_month
        deps.days.visits_of_month = lambda *a, **k: reads.append(a) or inner(*a, **k)
        month(deps, limit=2)
        assert len(reads) == 1

    def test_only_the_providers_leads_read_it(self, deps):
        overlapping_pair(deps)
        assert month(deps, who=OTHERS).rows == []  # their own provider's month: none of ours
        assert len(month(deps, who=MANAGER).rows) == 2
        for who in (staff(), Principal(subject="hl", role=Role.CASE_WORKER, user_id="hl"),
                    Principal(subject="ou", role=Role.ORDERING_UNIT, user_id="ou")):
            with pytest.raises(Forbidden):
                month(deps, who=who)


class TestStatistics:
    def test_reasons_are_counted_per_code_and_device_codes_per_lock(self, deps):
        # GIVEN two manual visits at a client with a lock, one at a client without, acknowledged "lock failed"
        client = new_client(deps)
        lock = f"LOCK-{uuid.uuid4().hex[:6]}"
        deps.devices.put_device(Device(device_id=lock, kind="digital_lock", provider_id=PROVIDER, client=client[0],
                                       status="bound", ordered_at=NOW, bound_at=NOW))
        one = a_visit(deps, client=client, manual=True)
        two = a_visit(deps, client=client, manual=True, start=MORNING + timedelta(hours=2))
        three = a_visit(deps, manual=True, start=MORNING + timedelta(hours=4))
        for v in (one, two, three):
            resolve(deps, COORDINATOR, v.visit_id, "manual_receipt", "lock_failed", "", v.version)
        first, _ = overlapping_pair(deps)
        resolve(deps, COORDINATOR, first.visit_id, "overlap", "time_checked", "", first.version)
        # WHEN the month's statistics are read
        stats = {s.code: s for s in reason_statistics(deps, MANAGER, 2026, 11)}
        # THEN per code; the lock's failures on the lock, the lockless client's under no device
        assert (stats["lock_failed"].count, stats["time_checked"].count, stats["other"].count) == (3, 1, 0)
        assert [(d.device_id, d.count) for d in stats["lock_failed"].devices] == [(lock, 2), (None, 1)]
        assert stats["lock_failed"].label == "Låset fungerade inte"
        assert list(stats) == list(reason_codes())
        assert reason_statistics(deps, OTHERS, 2026, 11)[0].count == 0
        with pytest.raises(Forbidden):
            reason_statistics(deps, staff(), 2026, 11)


def test_a_bulk_approval_finds_the_red_ones_with_one_read_of_the_month(deps):
    from services.visits.usecases.exceptions import red_of_month

    # GIVEN two overlapping visits and one without exception
    first, second = overlapping_pair(deps)
    plain = a_visit(deps, start=MORNING + timedelta(hours=5))
    reads = []
    inner = deps.days.visits_of_month
    deps.days.visits_of_month = lambda *a, **k: reads.append(a) or inner(*a, **k)
    # WHEN the red ones of the month are found once and each visit approved with them
    red = red_of_month(deps, PROVIDER, 2026, 11)
    assert red == {first.visit_id: ["overlap"], second.visit_id: ["overlap"]}
    with pytest.raises(Conflict, match="overlap"):
        approve(deps, COORDINATOR, first.visit_id, Reasoned(reason="stämmer", version=first.version),
                red=red.get(first.visit_id, []))
    done = approve(deps, COORDINATOR, plain.visit_id, Reasoned(reason="stämmer", version=plain.version),
                   red=red.get(plain.visit_id, []))
    # THEN the month was read once, and the plain visit is approved
    assert done.status == "approved" and len(reads) == 1
