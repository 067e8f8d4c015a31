"""Contact-person payouts per month, from reports a case worker approved: pure.

The fee (arvode, taxable) and the expense allowance (omkostnadsersättning, tax-free) are the
assignment's, apart; as SKR's model does, they are a share of the year's prisbasbelopp ÷ 12. An
assignment's amounts were set at the prisbasbelopp of the year its terms were set
(``terms_year``); a month of a later year pays the same share of that year's prisbasbelopp, so a
new year is a new line in the yearly figures, not a new amount on every assignment. Mileage is the
reports' km at the year's tax-free rate. A year whose figure is not yet known is paid with the last
known one, marked "preliminärt belopp" with that figure's year; never refused. One fee per
assignment and month, whatever number of reports.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from pydantic import BaseModel, Field

from .basis import round_half_up
from .model import ApprovedReport
from .rules import PreliminaryAmount, RulePack, YearlyFigures


class PayoutLine(BaseModel):
    contact_person: str
    assignment_id: str
    month: str
    fee_ore: int = Field(description="Arvode: taxable")
    fee_share_of_prisbasbelopp: str = Field(description="The fee's share of the year's prisbasbelopp ÷ 12")
    allowance_ore: int = Field(description="Omkostnadsersättning: tax-free")
    km: float
    mileage_ore: int = Field(description="Km at the tax-free rate: tax-free")
    taxable_ore: int
    tax_free_ore: int
    total_ore: int
    case_ids: list[str]


class PayoutView(BaseModel):
    month: str
    rule_pack: str
    prisbasbelopp_ore: int
    prisbasbelopp_year: int = Field(description="The year of the prisbasbelopp used")
    mileage_ore_per_km: int
    mileage_year: int = Field(description="The year of the mileage rate used")
    preliminary_amounts: list[PreliminaryAmount] = Field(
        default_factory=list, description="A year's figure not yet known: the last known one is used, and the "
                                          "amounts are 'preliminärt belopp' with that figure's year")
    lines: list[PayoutLine]
    taxable_ore: int
    tax_free_ore: int
    total_ore: int


def scaled(amount_ore: int, from_pbb: int, to_pbb: int) -> int:
    return round_half_up(Fraction(amount_ore * to_pbb, from_pbb))


def share_of_prisbasbelopp(monthly_ore: int, pbb_ore: int) -> str:
    return str((Decimal(monthly_ore * 12) / Decimal(pbb_ore)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def payouts(reports: Iterable[ApprovedReport], year: int, month: int, pack: RulePack,
            figures: YearlyFigures, fee_paid: Collection[tuple[str, str]] = ()) -> PayoutView:
    """``pack`` is the month's; ``figures`` the yearly prisbasbelopp and mileage rate, in öre.
    ``fee_paid``: the (contact person, assignment) pairs whose fee and allowance of the month an
    earlier round paid: their line pays the mileage of these reports only (one fee per month)."""
    pbb_figure, rate_figure = figures.prisbasbelopp(year), figures.mileage(year)
    pbb, rate = pbb_figure.value, rate_figure.value
    preliminary = [PreliminaryAmount.of(name, f.figure_year, year)
                   for name, f in (("prisbasbelopp", pbb_figure), ("milersättning", rate_figure)) if f.preliminary]
    groups: dict[tuple[str, str], list[ApprovedReport]] = {}
    for r in reports:
        if (r.year, r.month) == (year, month):
            groups.setdefault((r.contact_person, r.assignment_id), []).append(r)
    lines = []
    for (person, assignment), rs in sorted(groups.items()):
        by_case = {r.case_id: r for r in rs}
        terms = max(by_case.values(), key=lambda r: (r.approved_at, r.case_id))
        set_at = figures.prisbasbelopp(terms.terms_year).value
        paid = (person, assignment) in fee_paid
        fee = 0 if paid else scaled(terms.fee_ore, set_at, pbb)
        allowance = 0 if paid else scaled(terms.allowance_ore, set_at, pbb)
        km = float(sum((Decimal(str(r.km)) for r in by_case.values()), Decimal(0)))
        mileage = round_half_up(Fraction(Decimal(str(km))) * rate)
        lines.append(PayoutLine(contact_person=person, assignment_id=assignment, month=f"{year:04d}-{month:02d}",
                                fee_ore=fee, fee_share_of_prisbasbelopp=share_of_prisbasbelopp(fee, pbb),
                                allowance_ore=allowance, km=km, mileage_ore=mileage, taxable_ore=fee,
                                tax_free_ore=allowance + mileage, total_ore=fee + allowance + mileage,
                                case_ids=sorted(by_case)))
    return PayoutView(month=f"{year:04d}-{month:02d}", rule_pack=pack.label, prisbasbelopp_ore=pbb,
                      prisbasbelopp_year=pbb_figure.figure_year, mileage_ore_per_km=rate,
                      mileage_year=rate_figure.figure_year, preliminary_amounts=preliminary, lines=lines, taxable_ore=sum(x.taxable_ore for x in lines),
                      tax_free_ore=sum(x.tax_free_ore for x in lines), total_ore=sum(x.total_ore for x in lines))


def paid_cases(earlier: Iterable[PayoutView]) -> set[str]:
    """The case ids of the reports earlier rounds paid."""
    return {c for view in earlier for line in view.lines for c in line.case_ids}


def supplementary(reports: Iterable[ApprovedReport], year: int, month: int, pack: RulePack,
                  figures: YearlyFigures, earlier: Sequence[PayoutView]) -> PayoutView:
    """The next round of a month already approved (tilläggsutbetalning): exactly the month's reports
    in no earlier round (by case id, so a report is never paid twice, whatever number of times its
    event arrives), by the same rules; an assignment an earlier round paid its fee and allowance
    gets only the new reports' mileage."""
    done = paid_cases(earlier)
    fee_paid = {(line.contact_person, line.assignment_id) for view in earlier for line in view.lines}
    return payouts([r for r in reports if r.case_id not in done], year, month, pack, figures, fee_paid=fee_paid)
