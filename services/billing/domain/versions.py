"""The difference between two versions of a provider's invoice basis, client by client: pure.

``basis.difference`` keeps with each final version what it changed against the one before (the
summed figures, new − old). A reader comparing any two versions (1 with 3, or 2 with the figures as
they are now) needs more: each client's line before and after, whether the client came or went,
and a changed reference code (780201, 350101, 333601), which is no sum."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .basis import SUMMED, Basis, Line

# The figures a reader compares, in the order a page shows them: time, then money.
COMPARED = ("granted_minutes", "performed_minutes", "billable_minutes", "absence_minutes",
            "pending_approval_minutes", "unapproved_minutes", "awaiting_decision_minutes",
            "visits_amount_ore", "absence_amount_ore", "rural_supplement_ore", "amount_ore")
assert set(COMPARED) <= set(SUMMED)


class FigureChange(BaseModel):
    model_config = ConfigDict(frozen=True)
    figure: str  # a Line field: ..._minutes or ..._ore
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


class LineChange(BaseModel):
    """One client's line from one version to the other: what came, went or changed."""

    model_config = ConfigDict(frozen=True)
    client: str
    kind: Literal["added", "removed", "changed"]
    code_before: str | None
    code_after: str | None
    figures: list[FigureChange]

    @property
    def code_changed(self) -> bool:
        return self.kind == "changed" and self.code_before != self.code_after


class VersionDifference(BaseModel):
    model_config = ConfigDict(frozen=True)
    lines: list[LineChange]
    totals: list[FigureChange]
    rule_pack_before: str
    rule_pack_after: str

    @property
    def same(self) -> bool:
        return not self.lines and not self.totals and self.rule_pack_before == self.rule_pack_after


def _figures(before: Line | None, after: Line | None) -> list[FigureChange]:
    out = []
    for f in COMPARED:
        old = getattr(before, f) if before is not None else 0
        new = getattr(after, f) if after is not None else 0
        if old != new:
            out.append(FigureChange(figure=f, before=old, after=new))
    return out


def compare(old: Basis, new: Basis) -> VersionDifference:
    """Every client whose line differs between ``old`` and ``new`` (by client), and the totals that do."""
    before = {line.client: line for line in old.lines}
    after = {line.client: line for line in new.lines}
    lines = []
    for client in sorted(before.keys() | after.keys()):
        b, a = before.get(client), after.get(client)
        figures = _figures(b, a)
        kind = "added" if b is None else "removed" if a is None else "changed"
        code_b = b.reference_code if b is not None else None
        code_a = a.reference_code if a is not None else None
        if kind != "changed" or figures or code_b != code_a:
            lines.append(LineChange(client=client, kind=kind, code_before=code_b, code_after=code_a,
                                    figures=figures))
    totals = [FigureChange(figure=f, before=getattr(old.totals, f), after=getattr(new.totals, f))
              for f in COMPARED if getattr(old.totals, f) != getattr(new.totals, f)]
    return VersionDifference(lines=lines, totals=totals, rule_pack_before=old.rule_pack.version,
                             rule_pack_after=new.rule_pack.version)
