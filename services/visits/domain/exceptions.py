"""Exceptions of a visit, triaged as the coordinator works them (issue "Providers' pages").

Red exceptions block approval until resolved; grey ones are acknowledged. Each kind's rule is here,
once; the reason codes a resolution takes are data (``reason_codes.json``). Pure: no AWS, no clock
of its own.

Per visit alone (``visit_exceptions``):
- red ``missing_departure``: an open visit started more than ``MISSING_DEPARTURE_AFTER`` ago;
- red ``manual_without_reason``: a manual receipt with no reason given;
- red ``waiting_for_case_worker``: a deviation pending the case worker's decision (time beyond the
  granted, no decision behind the visit, a manual receipt) — resolved only by that decision;
- grey ``manual_receipt`` (with its reason), ``post_registration``, ``edited`` (times or insatser
  changed by hand), ``double_staffing_one_sided``, ``long_visit``, ``client_absent``.
With the provider's other data (``with_context``):
- red ``overlap``: the staff member's other visit overlaps this one;
- red ``absent_day``: the client is registered absent on the visit's day.
A ``missing_arrival`` (a departure with no arrival) is never a visit: it is a held rejected event
(origin ``orphan``), listed with the exceptions and resolved by its correction.

Resolutions (``Visit.resolutions``, written by ``usecases/exceptions.resolve``): a red kind of
``RESOLVED_BY_REASON`` is resolved, and a grey kind acknowledged, by a reason code that applies to
the kind (``codes_for``; ``other`` with a free text of 3–500 characters). The other red kinds
(``RESOLVED_BY_DATA``) are resolved only by changing the data; a reason is refused, naming how.
A resolution stands until the exception is gone, except that a later edit of the visit re-opens
the resolutions of ``RESET_BY_EDIT``: an acknowledged edit was that edit, not the next one; the
reason two overlapping or a long visit's times are right was about the times then.
``visit_exceptions`` and ``with_context`` answer the unresolved kinds only; ``raised`` all of them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Iterable, Literal

from .model import Absence, Visit

Severity = Literal["red", "grey"]
MISSING_DEPARTURE_AFTER = timedelta(hours=12)


@dataclass(frozen=True)
class ExceptionKind:
    code: str
    severity: Severity
    label: str  # Swedish, as the pages show it
    what_to_do: str


KINDS: dict[str, ExceptionKind] = {k.code: k for k in (
    ExceptionKind("missing_arrival", "red", "Ankomst saknas",
                  "Rätta händelsen: registrera ankomsten, eller efterregistrera besöket."),
    ExceptionKind("missing_departure", "red", "Avfärd saknas",
                  "Ändra besöket och fyll i när det slutade, med orsak."),
    ExceptionKind("overlap", "red", "Överlappar personalens andra besök",
                  "Ändra tiderna på ett av besöken, eller ange varför båda stämmer."),
    ExceptionKind("manual_without_reason", "red", "Manuell kvittering utan orsak",
                  "Ange orsaken till den manuella kvitteringen."),
    ExceptionKind("absent_day", "red", "Besök en dag kunden är frånvarande",
                  "Kontrollera frånvaron: avsluta den eller ange varför besöket gjordes."),
    ExceptionKind("waiting_for_case_worker", "red", "Väntar på handläggarens beslut",
                  "Handläggaren beslutar om avvikelsen; besöket kan godkännas efter det."),
    ExceptionKind("manual_receipt", "grey", "Manuell kvittering",
                  "Kvittera med orsak, så att fel på lås och taggar syns i statistiken."),
    ExceptionKind("post_registration", "grey", "Efterregistrerat", "Kvittera efter kontroll."),
    ExceptionKind("edited", "grey", "Ändrat i efterhand", "Kvittera efter kontroll."),
    ExceptionKind("double_staffing_one_sided", "grey", "Dubbelbemanning registrerad av bara en",
                  "Kontrollera med den andra personalen och kvittera."),
    ExceptionKind("long_visit", "grey", "Längre än 12 timmar", "Kontrollera tiden och kvittera."),
    ExceptionKind("client_absent", "grey", "Kunden var inte hemma", "Kvittera."),
)}
RED = frozenset(k for k, v in KINDS.items() if v.severity == "red")
# Red kinds a reason resolves (the others are resolved by changing the data: an edit, a correction,
# the case worker's decision)
RESOLVED_BY_REASON = frozenset({"overlap", "manual_without_reason", "absent_day"})
# The red kinds a reason does not resolve, and what does (the API's refusal of a reason says it)
RESOLVED_BY_DATA: dict[str, str] = {
    "missing_arrival": "a missing arrival is resolved by correcting its rejected event "
                       "(POST /rejected-events/{event_id}/corrections) or by post-registering the visit, "
                       "not by a reason",
    "missing_departure": "a missing departure is resolved by editing the visit's end "
                         "(PATCH /visits/{visit_id}), not by a reason",
    "waiting_for_case_worker": "a deviation waiting for the case worker is resolved by the case worker's "
                               "decision, not by a reason",
}
# Resolutions a later edit of the visit re-opens
RESET_BY_EDIT = frozenset({"edited", "overlap", "long_visit"})
TEXT_MIN, TEXT_MAX = 3, 500


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: str
    kinds: frozenset[str]
    needs_text: bool = False
    device: bool = False

    def applies_to(self, kind: str) -> bool:
        return "*" in self.kinds or kind in self.kinds


@cache
def reason_codes() -> dict[str, ReasonCode]:
    """The code list (``reason_codes.json``), by code, in the file's order."""
    raw = json.loads((Path(__file__).with_name("reason_codes.json")).read_text(encoding="utf-8"))
    return {c["code"]: ReasonCode(code=c["code"], label=c["label"], kinds=frozenset(c["kinds"]),
                                  needs_text=bool(c.get("needs_text")), device=bool(c.get("device")))
            for c in raw["codes"]}


def codes_for(kind: str) -> list[ReasonCode]:
    return [c for c in reason_codes().values() if c.applies_to(kind)]


def resolved(visit: Visit) -> frozenset[str]:
    """The kinds the visit's resolutions resolve or acknowledge now (a later edit re-opens those of
    ``RESET_BY_EDIT``)."""
    last_edit = max((c.version for c in visit.history if c.change == "edited"), default=0)
    return frozenset(r.kind for r in visit.resolutions if r.kind not in RESET_BY_EDIT or r.version > last_edit)


def visit_exceptions(visit: Visit, now: datetime) -> list[str]:
    """The unresolved exception kinds of one visit from the visit alone, red first, each once."""
    done = resolved(visit)
    return [k for k in raised(visit, now) if k not in done]


def raised(visit: Visit, now: datetime) -> list[str]:
    """Every exception kind of one visit from the visit alone, resolved or not, red first."""
    found: list[str] = []
    if visit.status == "open" and now - visit.started_at > MISSING_DEPARTURE_AFTER:
        found.append("missing_departure")
    codes = {d.code for d in visit.deviations}
    if any(d.code == "manual_receipt" and not d.reason.strip() for d in visit.deviations):
        found.append("manual_without_reason")
    if any(d.status == "pending" for d in visit.deviations):
        found.append("waiting_for_case_worker")
    if "manual_receipt" in codes and "manual_without_reason" not in found:
        found.append("manual_receipt")
    if visit.source == "post_registration":
        found.append("post_registration")
    if visit.edited:
        found.append("edited")
    if "double_staffing_marked_twice" in codes:  # the builder's name: marked by one of the two only
        found.append("double_staffing_one_sided")
    if "long_visit" in codes:
        found.append("long_visit")
    if visit.client_absent or "client_absent" in codes:
        found.append("client_absent")
    return found


def with_context(visit: Visit, kinds: list[str], *, absent_days: Iterable[date] = (),
                 overlaps: bool = False, visit_day: date | None = None) -> list[str]:
    """``kinds`` with the exceptions that need the provider's other data: the staff member's
    overlapping visit (``overlaps``), the client's registered absence on the visit's day; those
    the visit's resolutions resolve left out."""
    found = list(kinds)
    done = resolved(visit)
    if overlaps and "overlap" not in done:
        found.insert(0, "overlap")
    if visit_day is not None and visit_day in set(absent_days) and "absent_day" not in done:
        found.insert(0, "absent_day")
    return sorted(dict.fromkeys(found), key=lambda k: (KINDS[k].severity != "red", list(KINDS).index(k)))


def absent_days(absences: Iterable[Absence], first: date, last: date) -> set[date]:
    """The days in [first, last] the absences cover (an absence without an end runs on)."""
    days: set[date] = set()
    for a in absences:
        start, end = max(a.starts_on, first), min(a.ends_on or last, last)
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return days


def blocking(kinds: Iterable[str]) -> list[str]:
    """The red kinds among ``kinds``: the visit may not be approved while any is unresolved."""
    return [k for k in kinds if k in RED]


def resolution_refusal(kind: str) -> str | None:
    """Why ``kind`` takes no reason (None: a reason resolves or acknowledges it)."""
    if kind not in KINDS:
        return f"unknown exception kind {kind!r}; known: {', '.join(KINDS)}"
    return RESOLVED_BY_DATA.get(kind)


def reason_error(kind: str, code: str, text: str) -> tuple[str, str] | None:
    """(field, why) when ``code`` and ``text`` do not resolve ``kind``: the code must be one of the
    list and apply to the kind; a code that needs text (``other``) needs 3–500 characters."""
    known = reason_codes().get(code)
    if known is None or not known.applies_to(kind):
        return "code", f"{code!r} is not a reason for {kind}; one of: {', '.join(c.code for c in codes_for(kind))}"
    if known.needs_text and len(text.strip()) < TEXT_MIN:
        return "text", f"the reason {code!r} needs a text of {TEXT_MIN}–{TEXT_MAX} characters"
    if len(text) > TEXT_MAX:
        return "text", f"at most {TEXT_MAX} characters"
    return None
