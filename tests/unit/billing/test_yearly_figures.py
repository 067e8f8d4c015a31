"""Issue 20 item 2: billing does not stop on a new year. A rule pack is in force until a later one
replaces it; prisbasbelopp and the mileage rate are data with their year; a year whose figure is
not yet known is computed with the last known one and marked "preliminärt belopp" with that
figure's year (JSON, CSV, PDF), never refused."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.billing.bootstrap import BillingDeps
from services.billing.domain.rules import RuleBook, rule_book
from services.billing.usecases.consume import apply_batch
from services.billing.usecases.invoice_basis import basis_file, invoice_basis
from services.billing.usecases.payouts import payouts, payouts_file
from services.domain.errors import NotFound
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.pdf import pdf_text
from tests.support.people import new_pnr
from tests.unit.billing.events import decision, report_approved, visit_changed

FINANCE = Principal(subject="f", role=Role.ORDERING_UNIT, user_id="ekonom")
JANUARY_2027 = datetime(2027, 1, 12, 9, tzinfo=timezone.utc)
LAST_HANINGE_PACK = rule_book().packs("haninge")[-1]


def deps(rules=None, now=JANUARY_2027):
    return BillingDeps(store=InMemoryBillingStore(), rules=rules or rule_book(), municipality="haninge",
                       clock=lambda: now)


def with_january_2027(d, minutes=(60, 45)):
    client = new_pnr(1940)
    start = datetime(2027, 1, 4, 8, tzinfo=timezone.utc)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1)))] +
                [(f"v{i}", visit_changed(f"v{i}", client, minutes=m, start=start + timedelta(days=i), year=2027,
                                         month=1)) for i, m in enumerate(minutes)])
    return client


def figures(**years):
    from services.billing.domain.rules import YearlyFigures

    shipped = rule_book().figures
    return YearlyFigures(prisbasbelopp_ore={**shipped.prisbasbelopp_ore, **years.get("pbb", {})},
                         mileage_ore_per_km={**shipped.mileage_ore_per_km, **years.get("mileage", {})},
                         sources=shipped.sources)


# -- the rules --------------------------------------------------------------------------------

def test_the_last_pack_stays_in_force_after_its_period_marked_preliminary():
    """GIVEN Haninge's packs, the last decided through its valid_to
    WHEN the month after it is billed THEN that pack applies, its amounts marked preliminary with their year."""
    book = rule_book()
    after = LAST_HANINGE_PACK.valid_to + timedelta(days=1)
    pack = book.for_month("haninge", after.year, after.month)
    assert pack == LAST_HANINGE_PACK
    (mark,) = book.preliminary(pack, after.year, after.month)
    assert (mark.figure_year, mark.year) == (LAST_HANINGE_PACK.valid_to.year, after.year)
    assert mark.text.startswith("preliminärt belopp")
    assert book.preliminary(pack, LAST_HANINGE_PACK.valid_to.year, LAST_HANINGE_PACK.valid_to.month) == []


def test_a_later_pack_replaces_the_one_in_force():
    """GIVEN a pack for 2027 added WHEN 2027-01 is billed THEN it applies and nothing is preliminary."""
    later = LAST_HANINGE_PACK.model_copy(update={"version": "2027.1", "valid_from": date(2027, 1, 1),
                                                 "valid_to": date(2027, 12, 31), "hourly_rate_ore": 51_000})
    book = RuleBook(rule_book().packs("haninge") + [later])
    assert book.for_month("haninge", 2027, 1) == later
    assert book.preliminary(later, 2027, 1) == []
    assert book.for_month("haninge", 2026, 12) == LAST_HANINGE_PACK


def test_a_year_whose_prisbasbelopp_is_not_known_uses_the_last_known_one():
    table = rule_book().figures
    last = max(table.prisbasbelopp_ore)
    figure = table.prisbasbelopp(last + 1)
    assert (figure.value, figure.figure_year, figure.preliminary) == (table.prisbasbelopp_ore[last], last, True)
    assert table.prisbasbelopp(last).preliminary is False
    with pytest.raises(NotFound):
        table.prisbasbelopp(min(table.prisbasbelopp_ore) - 1)  # before the table: a past figure to add, not guess


def test_the_figures_verified_are_the_ones_shipped():
    """prisbasbelopp 2025 and 2026 (SFS 2025:872), mileage 25 kr/mil 2023-2025; nothing invented for 2027."""
    table = rule_book().figures
    assert table.prisbasbelopp_ore == {2025: 5_880_000, 2026: 5_920_000}
    assert table.mileage_ore_per_km == {2023: 250, 2024: 250, 2025: 250}
    assert {"prisbasbelopp_ore", "mileage_ore_per_km"} <= table.sources.keys()


# -- the invoice basis ------------------------------------------------------------------------

def test_january_2027_is_billed_with_the_last_known_rates_marked_preliminary():
    """GIVEN visits in January 2027 and no pack decided for 2027
    WHEN the basis is asked for THEN it is computed with the pack in force and says so."""
    d = deps()
    with_january_2027(d)
    got = invoice_basis(d, FINANCE, "p1", "2027-01")
    assert got.rule_pack.version == LAST_HANINGE_PACK.version
    assert got.totals.billable_minutes == 105
    assert got.totals.amount_ore == round(105 * LAST_HANINGE_PACK.hourly_rate_ore / 60)
    (mark,) = got.preliminary_amounts
    assert (mark.figure_year, mark.year) == (2026, 2027)


def test_the_preliminary_mark_is_in_the_csv_and_the_pdf():
    d = deps()
    with_january_2027(d)
    rows = basis_file(d, FINANCE, "p1", "2027-01", "csv").body.decode("utf-8-sig").splitlines()
    header = rows[0].split(";")
    assert header[-1] == "Preliminärt belopp"
    assert all(r.split(";")[-1] == "preliminärt belopp: timersättning och tillägg 2026" for r in rows[1:])
    text = pdf_text(basis_file(d, FINANCE, "p1", "2027-01", "pdf").body)
    assert "Preliminärt belopp: timersättning och tillägg 2026" in text


def test_once_a_pack_for_the_year_is_added_the_mark_goes():
    later = LAST_HANINGE_PACK.model_copy(update={"version": "2027.1", "valid_from": date(2027, 1, 1),
                                                 "valid_to": None})
    d = deps(RuleBook(rule_book().packs("haninge") + [later]))
    with_january_2027(d)
    got = invoice_basis(d, FINANCE, "p1", "2027-01")
    assert got.preliminary_amounts == [] and got.rule_pack.version == "2027.1"
    rows = basis_file(d, FINANCE, "p1", "2027-01", "csv").body.decode("utf-8-sig").splitlines()
    assert rows[1].split(";")[-1] == ""


def test_a_basis_for_a_decided_month_is_not_preliminary():
    d = deps(now=datetime(2026, 4, 8, 9, tzinfo=timezone.utc))
    client = new_pnr(1940)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1))), ("v", visit_changed("v", client))])
    assert invoice_basis(d, FINANCE, "p1", "2026-03").preliminary_amounts == []


# -- payouts ---------------------------------------------------------------------------------

def test_january_2027_payouts_use_the_last_known_prisbasbelopp_and_say_so():
    """GIVEN an assignment set in 2025 (1,470 kr = 30 % of 58,800 ÷ 12) and no prisbasbelopp for 2027
    WHEN January 2027 is paid THEN the same share of 2026's 59,200 ÷ 12, marked preliminary with 2026."""
    d = deps()
    person = new_pnr(1975)
    apply_batch(d.store, [("a", report_approved("c1", person, km=100, year=2027, month=1))])
    got = payouts(d, FINANCE, "2027-01")
    (line,) = got.lines
    assert line.fee_ore == 148_000 and line.mileage_ore == 25_000
    assert (got.prisbasbelopp_ore, got.prisbasbelopp_year, got.mileage_year) == (5_920_000, 2026, 2025)
    assert {(m.figure, m.figure_year, m.year) for m in got.preliminary_amounts} == \
        {("prisbasbelopp", 2026, 2027), ("milersättning", 2025, 2027)}
    csv = payouts_file(d, FINANCE, "2027-01").body.decode("utf-8-sig").splitlines()
    assert csv[0].split(";")[-1] == "Preliminärt belopp"
    assert csv[1].split(";")[-1] == "preliminärt belopp: prisbasbelopp 2026, milersättning 2025"


def test_once_the_years_figures_are_added_payouts_follow_them_unmarked():
    """GIVEN the table gets 2027's figures (here made up for the test) WHEN January 2027 is paid
    THEN the fee is the same share of the new prisbasbelopp and nothing is preliminary."""
    book = RuleBook(rule_book().packs("haninge"), figures(pbb={2027: 6_000_000}, mileage={2026: 250, 2027: 300}))
    d = deps(book)
    apply_batch(d.store, [("a", report_approved("c1", new_pnr(1975), km=10, year=2027, month=1))])
    got = payouts(d, FINANCE, "2027-01")
    assert got.preliminary_amounts == [] and got.lines[0].fee_ore == round(147_000 * 6_000_000 / 5_880_000)
    assert got.lines[0].mileage_ore == 3_000
