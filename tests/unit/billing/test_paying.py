"""Finance's side of paying, over the fakes: the classification's history decides each month's
basis; a month's payouts approved once, after the month, by finance only, and its payroll rows;
rule versions stored beside the files replace the pack in force from their month, never before."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.auth.principal import Principal, Role
from services.billing.bootstrap import BillingDeps
from services.billing.domain.approvals import StoredRulePack
from services.billing.domain.rules import RuleBook, rule_book
from services.billing.payroll import rows
from services.billing.rule_book import RulesInForce
from services.billing.schemas import ClientProfileRequest
from services.billing.usecases.classification import set_client_profile
from services.billing.usecases.consume import apply_batch
from services.billing.usecases.invoice_basis import compute
from services.billing.usecases.payouts import approve_payouts, payroll_file
from services.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.people import new_pnr
from tests.unit.billing.events import decision, report_approved, visit_changed

FIA = Principal(subject="fia", role=Role.FINANCE, user_id="ekonomi-fia", name="Fia Ekström")
OLA = Principal(subject="ola", role=Role.ORDERING_UNIT, user_id="bu-ola", name="Ola Bergström")
DEC_2026 = datetime(2026, 12, 6, 10, tzinfo=timezone.utc)


def deps(now=DEC_2026) -> BillingDeps:
    store = InMemoryBillingStore()
    return BillingDeps(store=store, rules=RulesInForce(rule_book(), store), municipality="haninge",
                       clock=lambda: now)


def _visits(d, client, provider="p1"):
    events = [decision(client, 3040, date(2026, 1, 1))]
    for month in (4, 5):
        events.append(visit_changed(f"v-{month}", client, provider=provider, minutes=60, year=2026, month=month,
                                    start=datetime(2026, month, 6, 8, tzinfo=timezone.utc)))
    apply_batch(d.store, [(e.event_id, e) for e in events])


class TestClassificationHistory:
    def test_a_change_from_a_month_leaves_the_months_before_it_as_they_were(self):
        """GIVEN visits in April and May WHEN finance classifies the client island from May THEN
        April's basis is standard and May's island."""
        d = deps()
        client = new_pnr(1940)
        _visits(d, client)
        set_client_profile(d, FIA, client, ClientProfileRequest(area="island", applies_from="2026-05",
                                                                reason="Ornö"))
        april, may = compute(d, "p1", 2026, 4), compute(d, "p1", 2026, 5)
        assert (april.lines[0].island_minutes, may.lines[0].island_minutes) == (0, 60)

    def test_a_change_without_a_month_applies_to_every_month_as_before_the_history(self):
        d = deps()
        client = new_pnr(1940)
        _visits(d, client)
        set_client_profile(d, FIA, client, ClientProfileRequest(area="rural"))
        assert [compute(d, "p1", 2026, m).lines[0].rural_minutes for m in (4, 5)] == [60, 60]
        history = d.store.client(client).profile_history
        assert len(history) == 1 and history[0].changed_by == "ekonomi-fia" and history[0].applies_from is None


class TestPayoutApproval:
    def _reports(self, d, month=11):
        person = new_pnr(1970)
        events = [report_approved("c-1", person, km=20, year=2026, month=month, assignment="as-1"),
                  report_approved("c-2", person, km=0, year=2026, month=month, assignment="as-2")]
        apply_batch(d.store, [(e.event_id, e) for e in events])
        return person

    def test_finance_approves_a_month_once_and_its_payroll_rows_follow_the_approved_figures(self):
        d = deps()
        person = self._reports(d)
        with pytest.raises(NotFound):
            payroll_file(d, FIA, "2026-11")
        approval = approve_payouts(d, FIA, "2026-11")
        assert (approval.approved_by, approval.approved_at) == ("ekonomi-fia", DEC_2026)
        with pytest.raises(Conflict):
            approve_payouts(d, FIA, "2026-11")
        got = [(r[0], r[2], r[7], r[8]) for r in rows(approval)]
        # terms set at 2025's prisbasbelopp (58 800 kr), paid at 2026's (59 200 kr): 1 470 kr × 592/588 and
        # 490 kr × 592/588, half up; 20 km at 2,50 kr
        assert got == [(person, "KP-ARVODE", "1480,00", "Ja"), (person, "KP-OMKOST", "493,33", "Nej"),
                       (person, "KP-MILERS", "50,00", "Nej"),
                       (person, "KP-ARVODE", "1480,00", "Ja"), (person, "KP-OMKOST", "493,33", "Nej")]
        # 2026's mileage rate is not known: the last known year's, said on every row
        assert all(r[13] == "preliminärt belopp: milersättning 2025" for r in rows(approval))

    def test_the_ordering_unit_may_not_approve_nor_anyone_a_month_not_over_or_empty(self):
        d = deps()
        self._reports(d, month=12)
        with pytest.raises(Forbidden):
            approve_payouts(d, OLA, "2026-12")
        with pytest.raises(ValidationFailed):
            approve_payouts(d, FIA, "2026-12")  # December is not over on 6 December
        with pytest.raises(ValidationFailed):
            approve_payouts(d, FIA, "2026-10")  # nothing to pay
        assert d.store.payout_approvals == {}


class TestStoredRuleVersions:
    def _stored(self, d, version, valid_from, rate, hour=10):
        base = rule_book().for_month("haninge", 2026, 6)
        d.store.add_rule_pack(StoredRulePack(
            pack=base.model_copy(update={"version": version, "valid_from": valid_from, "valid_to": None,
                                         "hourly_rate_ore": rate}),
            stored_at=DEC_2026.replace(hour=hour), stored_by="fia"))

    def test_a_stored_version_is_in_force_from_its_month_and_the_files_before_it_stay(self):
        d = deps()
        self._stored(d, "2027.1", date(2027, 1, 1), 51_000)
        assert d.rules.for_month("haninge", 2026, 12).version == "2026.2"
        assert d.rules.for_month("haninge", 2027, 1).hourly_rate_ore == 51_000
        assert [p.version for p in d.rules.packs("haninge")][-2:] == ["2026.2", "2027.1"]
        assert rule_book().for_month("haninge", 2027, 1).version == "2026.2"  # the files are unchanged

    def test_of_two_versions_from_the_same_month_the_one_stored_last_is_in_force(self):
        d = deps()
        self._stored(d, "2027.1", date(2027, 1, 1), 51_000, hour=10)
        self._stored(d, "2027.2", date(2027, 1, 1), 52_000, hour=11)
        assert d.rules.for_month("haninge", 2027, 3).version == "2027.2"

    def test_the_files_alone_still_refuse_overlapping_packs(self):
        base = rule_book().for_month("haninge", 2026, 6)
        with pytest.raises(ValueError):
            RuleBook([base, base.model_copy(update={"version": "x", "valid_from": date(2026, 6, 1)})])
