"""The difference between two versions of a basis, client by client (``domain.versions``). No AWS."""
from datetime import date

from services.billing.domain import basis
from services.billing.domain.model import ClientProfile
from services.billing.domain.versions import compare
from tests.unit.billing.support import HANINGE_2026, OLD, YOUNG, client_month, grant, visit

G = [grant(3040, date(2026, 1, 1))]


def a_basis(per_client: dict, profiles: dict | None = None) -> basis.Basis:
    months = [client_month(c, vs) for c, vs in per_client.items()]
    return basis.compute("p1", 2026, 3, months, {c: G for c in per_client}, profiles or {}, HANINGE_2026)


def test_the_same_figures_differ_in_nothing():
    """GIVEN one basis WHEN it is compared with itself THEN no line, no total, the same rule pack."""
    b = a_basis({OLD: [visit(1, 60)]})
    diff = compare(b, b)
    assert diff.same and diff.lines == [] and diff.totals == []


def test_a_changed_visit_shows_the_clients_hours_and_amount_before_and_after():
    """GIVEN version 1 with a 60-minute visit WHEN version 2 has 90 minutes for the same client THEN
    the client's line shows billable minutes 60 → 90 and the amount before and after, and the totals too."""
    old, new = a_basis({OLD: [visit(1, 60)]}), a_basis({OLD: [visit(1, 90)]})
    diff = compare(old, new)
    (line,) = diff.lines
    figures = {f.figure: (f.before, f.after) for f in line.figures}
    assert line.kind == "changed" and not line.code_changed
    assert figures["billable_minutes"] == (60, 90) and figures["performed_minutes"] == (60, 90)
    assert figures["amount_ore"] == (old.lines[0].amount_ore, new.lines[0].amount_ore)
    assert {f.figure: f.difference for f in diff.totals}["amount_ore"] == \
        new.totals.amount_ore - old.totals.amount_ore > 0


def test_a_client_who_came_or_went_is_added_or_removed_with_their_figures():
    """GIVEN OLD in version 1 and YOUNG in version 2 WHEN compared THEN OLD is removed (figures to 0)
    and YOUNG added (figures from 0), each with their reference code on their side only."""
    diff = compare(a_basis({OLD: [visit(1, 60)]}), a_basis({YOUNG: [visit(1, 30)]}))
    kinds = {l.client: l for l in diff.lines}
    assert kinds[OLD].kind == "removed" and (kinds[OLD].code_before, kinds[OLD].code_after) == ("780201", None)
    assert kinds[YOUNG].kind == "added" and (kinds[YOUNG].code_before, kinds[YOUNG].code_after) == (None, "350101")
    assert {f.figure: (f.before, f.after) for f in kinds[YOUNG].figures}["billable_minutes"] == (0, 30)


def test_a_changed_reference_code_is_a_change_even_when_no_figure_moved():
    """GIVEN a young client WHEN finance classifies them as social psychiatry between the versions
    THEN the line is listed with code 350101 → 333601 and no figure."""
    old = a_basis({YOUNG: [visit(1, 60)]})
    new = a_basis({YOUNG: [visit(1, 60)]}, {YOUNG: ClientProfile(social_psychiatry=True)})
    (line,) = compare(old, new).lines
    assert line.code_changed and (line.code_before, line.code_after) == ("350101", "333601") and line.figures == []
