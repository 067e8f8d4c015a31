"""The payroll system's import file of a round of a month's contact-person payouts, as finance approved it:
one row per person, assignment and löneart (fee, expense allowance, mileage), so the payroll system
taxes the fee and not the others without knowing our rules. Pure (approval in, bytes out). The
columns, and why, in docs/payroll-export.md.

Semicolon-separated, UTF-8 without a byte-order mark (an import reads the first column's name as
it is), CRLF line ends, amounts in kronor with two decimals and a decimal comma, every value
guarded against formula injection. Amounts are öre in billing; nothing is rounded here."""
from __future__ import annotations

import csv
import io

from ..domain.calendar import swedish_local
from .domain.approvals import PayoutApproval
from .exports import _cell, kronor, preliminary_note

COLUMNS = ["Personnummer", "Period", "Löneart", "Benämning", "Antal", "Enhet", "À-pris (kr)", "Belopp (kr)",
           "Skattepliktig", "Uppdrag", "Underlag (ärenden)", "Attesterad av", "Attesterad", "Anmärkning"]

# The lönearter: Insats' own codes, mapped to the payroll system's in its import settings.
FEE, ALLOWANCE, MILEAGE = "KP-ARVODE", "KP-OMKOST", "KP-MILERS"
LONEARTER = {FEE: "Arvode kontaktperson", ALLOWANCE: "Omkostnadsersättning kontaktperson",
             MILEAGE: "Milersättning, skattefri"}


def _km(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _rate(ore_per_km: int) -> str:
    return kronor(ore_per_km)


def rows(approval: PayoutApproval) -> list[list[str]]:
    view = approval.payouts
    # a supplementary round says so on each row (round 1's rows are as before rounds existed)
    note = "; ".join(n for n in (f"tilläggsutbetalning, omgång {approval.round}" if approval.round > 1 else "",
                                 preliminary_note(view.preliminary_amounts)) if n)
    by = approval.approved_by_name or approval.approved_by
    at = swedish_local(approval.approved_at)
    out = []
    for line in view.lines:
        common = [line.assignment_id, " ".join(line.case_ids), by, at, note]
        for code, amount, qty, unit, each, taxable in (
                (FEE, line.fee_ore, "1", "st", kronor(line.fee_ore), "Ja"),
                (ALLOWANCE, line.allowance_ore, "1", "st", kronor(line.allowance_ore), "Nej"),
                (MILEAGE, line.mileage_ore, _km(line.km), "km", _rate(view.mileage_ore_per_km), "Nej")):
            if amount:
                out.append([line.contact_person, view.month, code, LONEARTER[code], qty, unit, each, kronor(amount),
                            taxable, *common])
    return out


def payroll_csv(approval: PayoutApproval) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(approval):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")
