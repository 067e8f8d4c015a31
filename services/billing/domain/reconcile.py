"""Reconciliation of a provider's invoice against the basis: pure."""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ...domain.personnummer import Personnummer

from .basis import Basis, due_date


_HOURS_TEXT = re.compile(r"^[0-9]{1,4}(?:[.,][0-9]{1,2})?$")


def _hours(value: Any) -> Any:
    """Hours as the basis's own CSV writes them ("6,32", a decimal comma) or with a decimal point
    ("6.32"), or a JSON number; any other text is refused naming the field."""
    if isinstance(value, str):
        text = value.strip()
        if not _HOURS_TEXT.match(text):
            raise ValueError("hours are a number with at most two decimals, with a decimal comma or point "
                             "(6,32 or 6.32)")
        return text.replace(",", ".")
    return value


Hours = Annotated[Decimal, BeforeValidator(_hours), WithJsonSchema({"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 31 * 24 * 2},
    {"type": "string", "pattern": _HOURS_TEXT.pattern, "examples": ["6,32", "6.32"]}]})]


class ClaimedLine(BaseModel):
    """One line of the provider's invoice: the client, the hours and the amount claimed."""

    model_config = ConfigDict(extra="forbid")
    client: Personnummer
    hours: Hours = Field(ge=0, le=31 * 24 * 2, max_digits=8, decimal_places=2)
    amount_ore: int = Field(ge=-10**12, le=10**12)


class Difference(BaseModel):
    model_config = ConfigDict(frozen=True)
    client: str
    field: str  # "billed_minutes", "amount_ore", or "line" (a client on one side only)
    claimed: int | None
    basis: int | None
    difference: int | None
    detail: str


class Reconciliation(BaseModel):
    model_config = ConfigDict(frozen=True)
    matches: bool
    differences: list[Difference]
    claimed_amount_ore: int
    basis_amount_ore: int
    claimed_minutes: int
    basis_minutes: int
    received_on: date
    due_date: date


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).quantize(Decimal(1), ROUND_HALF_UP))


def reconcile(basis: Basis, claimed: list[ClaimedLine], received_on: date) -> Reconciliation:
    """Every difference, line by line: billed minutes (billable plus absence) and amount."""
    by_client = {line.client: line for line in basis.lines}
    claims: dict[str, tuple[int, int]] = {}
    for c in claimed:  # a client claimed on two rows counts once, summed
        minutes, ore = claims.get(c.client, (0, 0))
        claims[c.client] = (minutes + hours_to_minutes(c.hours), ore + c.amount_ore)
    out: list[Difference] = []
    for client in sorted(by_client.keys() | claims.keys()):
        line = by_client.get(client)
        if line is None:
            out.append(Difference(client=client, field="line", claimed=claims[client][1], basis=None,
                                  difference=None, detail="claimed for a client not in the basis"))
            continue
        if client not in claims:
            out.append(Difference(client=client, field="line", claimed=None, basis=line.amount_ore,
                                  difference=None, detail="in the basis but not claimed"))
            continue
        minutes, ore = claims[client]
        billed = line.billable_minutes + line.absence_minutes
        if minutes != billed:
            out.append(Difference(client=client, field="billed_minutes", claimed=minutes, basis=billed,
                                  difference=minutes - billed, detail="claimed time differs from billable time "
                                                                      "plus absence"))
        if ore != line.amount_ore:
            out.append(Difference(client=client, field="amount_ore", claimed=ore, basis=line.amount_ore,
                                  difference=ore - line.amount_ore, detail="claimed amount differs"))
    claimed_ore = sum(o for _, o in claims.values())
    claimed_minutes = sum(m for m, _ in claims.values())
    return Reconciliation(
        matches=not out, differences=out, claimed_amount_ore=claimed_ore, basis_amount_ore=basis.totals.amount_ore,
        claimed_minutes=claimed_minutes,
        basis_minutes=basis.totals.billable_minutes + basis.totals.absence_minutes,
        received_on=received_on, due_date=due_date(received_on, basis.rule_pack.payment_terms_days))
