"""Supplementary payout rounds (tilläggsutbetalning), over the fakes: a contact person's report the
case worker approves after finance approved the month is paid by round 2 (then 3, …), which holds
exactly the reports in no earlier round; an assignment whose fee round 1 paid gets only the new
mileage; nothing new to pay is refused naming the field; each round is stored once (of two finance
officers approving the same round, one wins); a report is never paid in two rounds, whatever number
of times its event arrives; each round has its own payroll file, round 1's as before rounds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.billing.bootstrap import BillingDeps
from services.billing.domain.approvals import PayoutApproval
from services.billing.domain.rules import rule_book
from services.billing.payroll import rows
from services.billing.rule_book import RulesInForce
from services.billing.usecases.consume import apply_batch
from services.billing.usecases.payouts import approve_payouts, payout_month, payroll_file
from services.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.people import new_pnr
from tests.unit.billing.events import report_approved

FIA = Principal(subject="fia", role=Role.FINANCE, user_id="ekonomi-fia", name="Fia Ekström")
FRANS = Principal(subject="frans", role=Role.FINANCE, user_id="ekonomi-frans", name="Frans Lind")
OLA = Principal(subject="ola", role=Role.ORDERING_UNIT, user_id="bu-ola", name="Ola Bergström")
NOV_2 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
MONTH = "2026-10"


def deps() -> BillingDeps:
    store = InMemoryBillingStore()
    now = {"at": NOV_2}
    d = BillingDeps(store=store, rules=RulesInForce(rule_book(), store), municipality="haninge",
                    clock=lambda: now["at"])
    d.now = now  # lets a test move the clock
    return d


def deliver(d, *events):
    assert apply_batch(d.store, [(e.event_id, e) for e in events]) == set()


def later(d, days):
    d.now["at"] = NOV_2 + timedelta(days=days)


def cases_of(approval: PayoutApproval) -> list[str]:
    return sorted(c for line in approval.payouts.lines for c in line.case_ids)


@pytest.fixture
def month_approved():
    """October approved in round 1 on 2 November: Anna's assignment as-1 (20 km) and Bo's as-2."""
    d = deps()
    anna, bo = new_pnr(1970), new_pnr(1980)
    deliver(d, report_approved("c-1", anna, km=20, year=2026, month=10, assignment="as-1"),
            report_approved("c-2", bo, year=2026, month=10, assignment="as-2"))
    first = approve_payouts(d, FIA, MONTH)
    return d, anna, bo, first


class TestTheReportsApprovedAfterTheMonth:
    def test_are_paid_by_round_2_which_holds_exactly_them(self, month_approved):
        """GIVEN October approved (round 1) WHEN a report of a new assignment and one more of Anna's
        assignment (10 km) are approved late and finance approves round 2 THEN round 2 holds exactly
        those two: the new assignment its fee, allowance; Anna's only the 10 km (its fee was paid in
        round 1); round 1 is unchanged and nothing is left unpaid."""
        d, anna, bo, first = month_approved
        carl = new_pnr(1990)
        deliver(d, report_approved("c-3", carl, km=4, year=2026, month=10, assignment="as-3"),
                report_approved("c-4", anna, km=10, year=2026, month=10, assignment="as-1", kind="time"))
        before = payout_month(d, FIA, MONTH)
        assert [r.case_id for r in before.after_approval] == ["c-3", "c-4"]
        later(d, 3)

        second = approve_payouts(d, FRANS, MONTH, round=2)

        assert (second.round, second.approved_by, second.approved_at) == (2, "ekonomi-frans", NOV_2 + timedelta(days=3))
        assert cases_of(second) == ["c-3", "c-4"]
        lines = {line.assignment_id: line for line in second.payouts.lines}
        assert (lines["as-1"].fee_ore, lines["as-1"].allowance_ore, lines["as-1"].km, lines["as-1"].mileage_ore) == \
            (0, 0, 10.0, 2_500)
        assert (lines["as-3"].fee_ore, lines["as-3"].allowance_ore, lines["as-3"].mileage_ore) == \
            (148_000, 49_333, 1_000)
        assert second.payouts.total_ore == 2_500 + 148_000 + 49_333 + 1_000
        assert before.next_round == second.payouts  # the page showed what was approved
        shown = payout_month(d, FIA, MONTH)
        assert [r.round for r in shown.rounds] == [1, 2] and shown.approval == first
        assert d.store.payout_approval(2026, 10) == first
        assert shown.after_approval == [] and shown.next_round is None

    def test_nothing_new_to_pay_is_refused_naming_the_field_and_nothing_is_stored(self, month_approved):
        """GIVEN October approved and no report approved since WHEN finance approves round 2 THEN it is
        refused (the field ``lines``) and nothing is stored."""
        d, *_ = month_approved
        writes = d.store.writes
        with pytest.raises(ValidationFailed) as refused:
            approve_payouts(d, FIA, MONTH, round=2)
        assert [e.field for e in refused.value.errors] == ["lines"]
        assert "nothing new to pay" in str(refused.value)
        assert [r.round for r in d.store.payout_rounds(2026, 10)] == [1] and d.store.writes == writes

    def test_a_round_comes_after_the_one_before_it(self, month_approved):
        """GIVEN a month not approved WHEN round 2 is asked for THEN refused (field ``round``); GIVEN
        round 1 and a late report WHEN round 3 is asked for THEN refused too, nothing stored."""
        d, anna, *_ = month_approved
        deliver(d, report_approved("c-9", anna, km=5, year=2026, month=9, assignment="as-1"),
                report_approved("c-5", anna, km=5, year=2026, month=10, assignment="as-1"))
        for month, round_no in (("2026-09", 2), (MONTH, 3), (MONTH, 0)):
            with pytest.raises(ValidationFailed) as refused:
                approve_payouts(d, FIA, month, round=round_no)
            assert [e.field for e in refused.value.errors] == ["round"]
        assert d.store.payout_rounds(2026, 9) == [] and len(d.store.payout_rounds(2026, 10)) == 1

    def test_only_finance_approves_a_supplementary_round(self, month_approved):
        d, anna, *_ = month_approved
        deliver(d, report_approved("c-5", anna, km=5, year=2026, month=10, assignment="as-1"))
        with pytest.raises(Forbidden):
            approve_payouts(d, OLA, MONTH, round=2)
        assert len(d.store.payout_rounds(2026, 10)) == 1


class TestEachRoundOnce:
    def test_of_two_finance_officers_approving_round_2_at_once_one_wins_and_the_other_gets_a_conflict(
            self, month_approved):
        """GIVEN a late report WHEN Fia and Frans both read the month before either approves round 2
        (the race: neither sees the other's round) THEN the first write wins and the second is a
        Conflict; round 2 is Fia's, stored once."""
        d, anna, *_ = month_approved
        deliver(d, report_approved("c-5", anna, km=5, year=2026, month=10, assignment="as-1"))
        as_read = d.store.payout_rounds(2026, 10)
        real = d.store.payout_rounds
        d.store.payout_rounds = lambda year, month: list(as_read)  # both read before either writes
        won = approve_payouts(d, FIA, MONTH, round=2)
        with pytest.raises(Conflict):
            approve_payouts(d, FRANS, MONTH, round=2)
        d.store.payout_rounds = real
        assert [(r.round, r.approved_by) for r in d.store.payout_rounds(2026, 10)] == [(1, "ekonomi-fia"),
                                                                                   (2, "ekonomi-fia")]
        assert d.store.payout_rounds(2026, 10)[1] == won
        with pytest.raises(Conflict):  # and afterwards, when the round is seen
            approve_payouts(d, FRANS, MONTH, round=2)

    def test_a_report_is_never_paid_in_two_rounds_whatever_number_of_times_its_event_arrives(self):
        """GIVEN round 1 paid c-1 WHEN c-1's event is delivered again (the same message, and a re-sent
        one with a later approval and more km) THEN nothing is left to pay (round 2 refused); GIVEN a
        late c-5 paid by round 2 WHEN c-5's and c-1's events come again THEN round 3 is refused; every
        report of the month is in exactly one round."""
        d = deps()
        anna = new_pnr(1970)
        c1 = report_approved("c-1", anna, km=20, year=2026, month=10, assignment="as-1")
        deliver(d, c1)
        approve_payouts(d, FIA, MONTH)
        resent = c1.model_copy(update={"event_id": "again", "payload": {
            **c1.payload, "km": 35, "approved_at": (NOV_2 + timedelta(days=1)).isoformat()}})
        deliver(d, c1, resent)
        assert payout_month(d, FIA, MONTH).after_approval == []
        with pytest.raises(ValidationFailed):
            approve_payouts(d, FIA, MONTH, round=2)

        c5 = report_approved("c-5", anna, km=5, year=2026, month=10, assignment="as-1")
        deliver(d, c5)
        second = approve_payouts(d, FIA, MONTH, round=2)
        assert cases_of(second) == ["c-5"]
        deliver(d, c5, c1, resent)
        with pytest.raises(ValidationFailed):
            approve_payouts(d, FIA, MONTH, round=3)
        paid = [c for r in d.store.payout_rounds(2026, 10) for c in cases_of(r)]
        assert sorted(paid) == ["c-1", "c-5"] == sorted(r.case_id for r in d.store.reports(2026, 10))


class TestPayrollFilePerRound:
    def test_round_2_has_its_own_file_with_its_reports_and_round_1s_file_is_unchanged(self, month_approved):
        """GIVEN round 1's file WHEN a late report is approved in round 2 THEN round 1's file is byte
        for byte as before with its old name; round 2's is ``…-omgang-2.csv`` with only the late
        report's rows, approved by round 2's approver, each row saying it is a supplementary payout;
        a round not approved has no file (404)."""
        d, anna, *_ = month_approved
        round_1 = payroll_file(d, FIA, MONTH)
        assert round_1.filename == "lonefil-kontaktpersoner-2026-10.csv"
        deliver(d, report_approved("c-5", anna, km=8, year=2026, month=10, assignment="as-1"))
        with pytest.raises(NotFound):
            payroll_file(d, FIA, MONTH, round=2)
        later(d, 1)
        second = approve_payouts(d, FRANS, MONTH, round=2)

        assert payroll_file(d, FIA, MONTH) == round_1 == payroll_file(d, FIA, MONTH, round=1)
        f = payroll_file(d, FIA, MONTH, round=2)
        assert f.filename == "lonefil-kontaktpersoner-2026-10-omgang-2.csv"
        body = f.body.decode("utf-8").split("\r\n")
        assert body[0] == round_1.body.decode("utf-8").split("\r\n")[0]  # the same columns
        got = [(r[0], r[2], r[4], r[7], r[10], r[11]) for r in rows(second)]
        assert got == [(anna, "KP-MILERS", "8,0", "20,00", "c-5", "Frans Lind")]  # no second fee
        assert rows(second)[0][13] == "tilläggsutbetalning, omgång 2; preliminärt belopp: milersättning 2025"
        assert all("omgång" not in r[13] for r in rows(d.store.payout_approval(2026, 10)))
        with pytest.raises(NotFound):
            payroll_file(d, FIA, MONTH, round=3)


def test_an_approval_stored_before_rounds_reads_as_round_1():
    """GIVEN an approval's JSON as stored before rounds existed (no ``round``) THEN it reads as round 1."""
    d = deps()
    deliver(d, report_approved("c-1", new_pnr(1970), km=20, year=2026, month=10, assignment="as-1"))
    stored = approve_payouts(d, FIA, MONTH).model_dump(mode="json")
    del stored["round"]
    assert PayoutApproval.model_validate(stored).round == 1
