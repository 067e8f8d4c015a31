"""Billing's use cases over in-memory fakes: preliminary and final bases, corrections as new
versions, who sees what, reconciliation, payouts and the files."""
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st

from services.auth.principal import Principal, Role
from services.billing.bootstrap import BillingDeps
from services.billing.domain.reconcile import ClaimedLine
from services.billing.domain.rules import HERE, RuleBook, RulePack, rule_book
from services.billing.schemas import ReconcileRequest
from services.billing.usecases.consume import apply_batch
from services.billing.usecases.finalize import BeforeLockDate, UnverifiedVisits, finalize
from services.billing.usecases.invoice_basis import basis_file, invoice_basis
from services.billing.usecases.payouts import payouts, payouts_file
from services.billing.usecases.reconciliation import reconcile
from services.domain.errors import Forbidden, NotFound
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.people import new_pnr
from tests.unit.billing.events import decision, report_approved, visit_changed

FINANCE = Principal(subject="f", role=Role.ORDERING_UNIT, user_id="ekonom")
P1 = Principal(subject="s", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id="p1")
P2 = Principal(subject="t", role=Role.PROVIDER_MANAGER, user_id="bo", provider_id="p2")
# March 2026 locks on April 7: Good Friday and Easter Monday are no working days.
BEFORE_LOCK = datetime(2026, 4, 7, 21, 30, tzinfo=timezone.utc)  # 23:30 in Stockholm, the lock date itself
AFTER_LOCK = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)


def deps(now=AFTER_LOCK, store=None, rules=None):
    return BillingDeps(store=store or InMemoryBillingStore(), rules=rules or rule_book(), municipality="haninge",
                       clock=lambda: now)


def with_month(d, client=None, minutes=(60, 45)):
    client = client or new_pnr(1940)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1)))] +
                [(f"v{i}", visit_changed(f"v{i}", client, minutes=m)) for i, m in enumerate(minutes)])
    return client


def test_the_basis_is_preliminary_and_says_so_until_made_final():
    d = deps(BEFORE_LOCK)
    client = with_month(d)
    got = invoice_basis(d, FINANCE, "p1", "2026-03")
    assert (got.status, got.version, got.lock_date) == ("preliminary", None, date(2026, 4, 7))
    assert got.lines[0].client == client and got.lines[0].billable_minutes == 105
    assert got.rule_pack.version == "2026.1" and sorted(got.lines[0].visit_ids) == ["v0", "v1"]


def test_final_is_refused_before_the_lock_date_naming_it():
    d = deps(BEFORE_LOCK)
    with_month(d)
    with pytest.raises(BeforeLockDate, match="2026-04-07"):
        finalize(d, FINANCE, "p1", "2026-03")
    assert d.store.final_bases == {}


def test_a_final_basis_never_changes_and_a_late_correction_is_the_next_version():
    d = deps()
    client = with_month(d)
    first = finalize(d, FINANCE, "p1", "2026-03")
    assert (first.status, first.version) == ("final", 1)
    apply_batch(d.store, [("late", visit_changed("late", client, minutes=30))])
    assert invoice_basis(d, FINANCE, "p1", "2026-03") == first  # nothing moved until finance acts
    now = invoice_basis(d, FINANCE, "p1", "2026-03", current=True)
    assert (now.status, now.versions, now.totals.billable_minutes) == ("preliminary", [1], 135)
    again = finalize(d, FINANCE, "p1", "2026-03")
    assert (again.version, again.corrects_version, again.versions) == (2, 1, [1, 2])
    assert again.difference_totals["billable_minutes"] == 30
    assert invoice_basis(d, FINANCE, "p1", "2026-03", version=1).totals == first.totals
    assert finalize(d, FINANCE, "p1", "2026-03").version == 2  # no change, no new version


def test_no_such_version():
    with pytest.raises(NotFound):
        invoice_basis(deps(), FINANCE, "p1", "2026-03", version=3)


@settings(max_examples=25, deadline=None)
@given(st.integers(10_000, 90_000), st.integers(0, 20_000))
def test_a_rule_pack_change_never_alters_a_final_basis(rate, rural):
    d = deps()
    with_month(d)
    final = finalize(d, FINANCE, "p1", "2026-03")
    changed = [RulePack.model_validate({**p.model_dump(mode="json"), "hourly_rate_ore": rate,
                                        "supplements": {"rural_per_hour_ore": rural}})
               for p in rule_book().packs("haninge")] + rule_book().packs("exempel")
    d.rules = RuleBook(changed)
    assert invoice_basis(d, FINANCE, "p1", "2026-03") == final
    assert invoice_basis(d, FINANCE, "p1", "2026-03", version=1) == final


def test_a_provider_sees_its_own_basis_and_not_anothers():
    d = deps()
    with_month(d)
    assert invoice_basis(d, P1, "p1", "2026-03").provider_id == "p1"
    with pytest.raises(Forbidden):
        invoice_basis(d, P2, "p1", "2026-03")
    with pytest.raises(Forbidden):
        basis_file(d, P2, "p1", "2026-03", "csv")
    # care staff see their own registrations (visits), not the provider's basis, even past the policy
    with pytest.raises(Forbidden):
        invoice_basis(d, Principal(subject="a", role=Role.PROVIDER_STAFF, user_id="anna", provider_id="p1"),
                      "p1", "2026-03")


def test_finance_reconciles_a_provider_invoice_with_its_due_date():
    d = deps()
    client = with_month(d)
    basis = invoice_basis(d, FINANCE, "p1", "2026-03")
    claim = ReconcileRequest(received_on=date(2026, 4, 8),
                             lines=[ClaimedLine(client=client, hours=2, amount_ore=basis.lines[0].amount_ore + 100)])
    got = reconcile(d, P1, "p1", "2026-03", claim)
    assert got.due_date == date(2026, 5, 8)
    assert {(x.field, x.difference) for x in got.differences} == {("billed_minutes", 15), ("amount_ore", 100)}


def test_the_csv_guards_against_formulas_and_the_pdf_is_a_pdf():
    d = deps()
    with_month(d)
    csv = basis_file(d, FINANCE, "p1", "2026-03", "csv")
    text = csv.body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Utförare;Månad;Status") and "Summa" in text
    pdf = basis_file(d, FINANCE, "p1", "2026-03", "pdf")
    assert pdf.body.startswith(b"%PDF") and pdf.filename.endswith("preliminart.pdf")


def test_the_pdf_runs_over_pages_with_page_numbers():
    from services.billing import exports

    d = deps()
    for _ in range(60):
        with_month(d, minutes=(30,))
    view = invoice_basis(d, FINANCE, "p1", "2026-03")
    import fpdf

    captured = {}
    original = fpdf.FPDF.output

    def keep(self, *a, **kw):
        captured["pages"] = self.page_no()
        captured["alias"] = self.str_alias_nb_pages
        return original(self, *a, **kw)

    fpdf.FPDF.output = keep
    try:
        exports.basis_pdf(view, "Haninge kommun")
    finally:
        fpdf.FPDF.output = original
    assert captured["pages"] >= 2 and captured["alias"] == "{nb}"


def test_the_pdf_prints_any_name_as_written_in_an_embedded_font():
    # GIVEN a municipality and a provider whose names are outside Latin-1
    from services.billing import exports
    from tests.support.pdf import pdf_text

    d = deps()
    for _ in range(60):
        with_month(d, minutes=(30,))
    view = invoice_basis(d, FINANCE, "p1", "2026-03").model_copy(update={"provider_id": "Łukasz Omsorg"})
    # WHEN the basis is printed THEN a reader extracts the names as written, on every page
    body = exports.basis_pdf(view, "Łódź kommun")
    text = pdf_text(body)
    assert b"/FontFile2" in body
    assert "Łódź kommun - utförare Łukasz Omsorg" in text and "?ukasz" not in text
    assert "Fakturaunderlag hemtjänst 2026-03" in text and "Sida 2 av " in text and "{nb}" not in text


def test_csv_cells_that_look_like_formulas_are_quoted():
    from services.billing.exports import _cell

    assert [_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "ok")] == ["'=SUM(A1)", "'+1", "'-2", "'@x", "ok"]


# -- payouts ------------------------------------------------------------------------------

def test_payouts_keep_fee_allowance_and_mileage_apart_and_follow_the_prisbasbelopp():
    """GIVEN an assignment set in 2025 at 1,470 kr fee (30 % of 58,800 ÷ 12) and 490 kr allowance
    WHEN January 2026 is paid THEN the same shares of 59,200 ÷ 12, and 123.4 km at 2.50 kr."""
    d = deps()
    person = new_pnr(1975)
    apply_batch(d.store, [("a", report_approved("c1", person, km=100)), ("b", report_approved("c2", person, km=23.4,
                                                                                               kind="time"))])
    got = payouts(d, FINANCE, "2026-01")
    (line,) = got.lines
    assert (line.fee_ore, line.allowance_ore) == (148_000, 49_333)
    assert line.fee_share_of_prisbasbelopp == "0.3000"
    assert (line.km, line.mileage_ore) == (123.4, 30_850)
    assert (line.taxable_ore, line.tax_free_ore) == (148_000, 49_333 + 30_850) and line.case_ids == ["c1", "c2"]
    csv = payouts_file(d, FINANCE, "2026-01").body.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Personnummer;Uppdrag;Månad;Arvode (kr, skattepliktigt)")
    assert csv[1].split(";")[3] == "1480,00"


def test_terms_set_in_the_same_year_are_paid_as_set():
    d = deps()
    apply_batch(d.store, [("a", report_approved("c1", new_pnr(1975), terms_year=2026, fee=151_234))])
    assert payouts(d, FINANCE, "2026-01").lines[0].fee_ore == 151_234


# -- only verified time is billed; final with unverified visits only on finance's word ------------

def test_unverified_visits_are_not_billed_and_finance_confirms_a_final_basis_with_a_reason():
    """GIVEN a month with an approved visit of 60, one of 45 not approved and one of 30 whose manual
    receipt waits for the case worker WHEN finance makes it final THEN 409 naming both, nothing
    stored; WITH a reason THEN version 1 bills the 60 only and carries the confirmation, shown in
    the JSON, the CSV and the PDF."""
    from tests.support.pdf import pdf_text

    d = deps()
    client = new_pnr(1940)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1))), ("a", visit_changed("a", client)),
                          ("u", visit_changed("u", client, minutes=45, status="registered")),
                          ("w", visit_changed("w", client, minutes=30, status="registered",
                                              deviations=(("manual_receipt", "pending"),)))])
    shown = invoice_basis(d, FINANCE, "p1", "2026-03")
    assert (shown.totals.billable_minutes, shown.totals.unapproved_minutes,
            shown.totals.awaiting_decision_minutes) == (60, 45, 30)
    assert [(u.label, u.minutes) for u in shown.unverified] == [("Ej godkänt", 45), ("Väntar på beslut", 30)]
    with pytest.raises(UnverifiedVisits, match="1 not approved .* 1 waiting"):
        finalize(d, FINANCE, "p1", "2026-03")
    assert d.store.final_bases == {}
    final = finalize(d, FINANCE, "p1", "2026-03", "Utföraren har inte attesterat; betalas vid rättelse")
    confirmed = final.unverified_confirmation
    assert (final.status, final.version, final.totals.billable_minutes) == ("final", 1, 60)
    assert (confirmed.reason, confirmed.confirmed_by, confirmed.unapproved_visits, confirmed.unapproved_minutes,
            confirmed.awaiting_decision_visits, confirmed.awaiting_decision_minutes) == \
        ("Utföraren har inte attesterat; betalas vid rättelse", FINANCE.actor, 1, 45, 1, 30)
    assert invoice_basis(d, P1, "p1", "2026-03").unverified_confirmation == confirmed
    csv = basis_file(d, FINANCE, "p1", "2026-03", "csv").body.decode("utf-8-sig")
    assert "Ej godkänt;" in csv and "Väntar på beslut;" in csv and "betalas vid rättelse" in csv
    pdf = " ".join(pdf_text(basis_file(d, FINANCE, "p1", "2026-03", "pdf").body).split())  # lines wrap
    assert "Ej godkänt" in pdf and "Väntar på beslut" in pdf and "betalas vid rättelse" in pdf


def test_a_month_of_verified_visits_is_made_final_without_a_confirmation():
    d = deps()
    with_month(d)
    final = finalize(d, FINANCE, "p1", "2026-03")
    assert final.version == 1 and final.unverified == [] and final.unverified_confirmation is None


def test_a_visit_on_a_compensated_absence_day_is_flagged_in_the_json_csv_and_pdf():
    """GIVEN a hospital stay from March 10 and an approved visit of 40 on the 10th THEN the basis
    bills the visit and the 11th's compensation only, and flags the 10th in every form."""
    from tests.support.pdf import pdf_text
    from tests.unit.billing.events import absence_registered

    d = deps()
    client = new_pnr(1940)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1))),
                          ("v", visit_changed("v", client, minutes=40,
                                              start=datetime(2026, 3, 10, 8, tzinfo=timezone.utc))),
                          ("a", absence_registered("h1", client, date(2026, 3, 10)))])
    shown = invoice_basis(d, FINANCE, "p1", "2026-03")
    assert (shown.lines[0].billable_minutes, shown.lines[0].absence_minutes) == (40, 100)
    assert [(f.day, f.billed) for f in shown.visits_on_absence_days] == [(date(2026, 3, 10), "visit")]
    csv = basis_file(d, FINANCE, "p1", "2026-03", "csv").body.decode("utf-8-sig")
    assert f"{client};2026-03-10;h1" in csv
    assert "Besök på frånvarodag" in pdf_text(basis_file(d, FINANCE, "p1", "2026-03", "pdf").body)
