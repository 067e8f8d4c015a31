"""A client's absences, registered by the provider (``absence.registered`` goes with the write)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ...auth.principal import Principal
from ...contracts.events import AbsenceRegistered
from ...domain.calendar import STOCKHOLM
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ..domain.days import noon
from ..domain.model import Absence
from ..schemas import AbsenceView, EndAbsence, RegisterAbsence
from .guards import open_for_change

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def register_absence(deps: VisitsDeps, who: Principal, body: RegisterAbsence) -> AbsenceView:
    now = deps.clock()
    for name in ("learned_at", "announced_at"):
        value = getattr(body, name)
        if value is not None and value > now + deps.clock_skew:
            raise ValidationFailed.field(name, "must not be in the future")
    open_for_change(deps, noon(body.starts_on))
    absence = Absence(provider_id=who.provider_id or "", client=body.client, kind=body.kind, starts_on=body.starts_on,
                      ends_on=body.ends_on, learned_at=body.learned_at, announced_at=body.announced_at,
                      registered_by=who.actor, registered_at=now)
    deps.absences.add_absence(absence, _registered(absence), now)  # the event in the absence's own outbox
    return AbsenceView.of(absence)


def list_absences(deps: VisitsDeps, who: Principal) -> list[AbsenceView]:
    return [AbsenceView.of(a) for a in sorted(deps.absences.absences_of(who.provider_id or ""),
                                               key=lambda a: (a.starts_on, a.absence_id))]


def own_absence(deps: VisitsDeps, who: Principal, absence_id: str) -> Absence:
    """The provider's absence (one query of the provider's absences); another provider's is not found."""
    found = next((a for a in deps.absences.absences_of(who.provider_id or "") if a.absence_id == absence_id), None)
    if found is None or not who.provider_id:
        raise NotFound("no such absence")
    return found


def end_absence(deps: VisitsDeps, who: Principal, absence_id: str, body: EndAbsence) -> AbsenceView:
    """Ends an open absence ("Avsluta": the client is back). The absence's next revision goes out as
    ``absence.registered`` again, with its end and ``revision`` 2, under a new event id: billing and
    reports keep the highest revision of an absence, so the end counts once whatever order the two
    events arrive in. An absence with an end already is not ended again (409)."""
    absence = own_absence(deps, who, absence_id)
    if absence.ends_on is not None:
        raise Conflict("the absence has ended already")
    if body.ends_on < absence.starts_on:
        raise ValidationFailed.field("ends_on", "must not be before the absence began")
    open_for_change(deps, noon(body.ends_on))
    now = deps.clock()
    ended = absence.model_copy(update={"ends_on": body.ends_on, "revision": absence.revision + 1,
                                       "ended_by": who.actor, "ended_at": now})
    deps.absences.end_absence(absence, ended, _registered(ended), now)
    return AbsenceView.of(ended)


def _registered(a: Absence) -> AbsenceRegistered:
    return AbsenceRegistered(absence_id=a.absence_id, client=a.client, provider_id=a.provider_id, kind=a.kind,
                             starts_on=a.starts_on, ends_on=a.ends_on, learned_at=a.learned_at,
                             announced_at=a.announced_at, revision=a.revision)


@dataclass(frozen=True)
class Compensation:
    """What an absence gives the provider as billing computes it (``billing.domain.basis.absence_days``
    under the municipality's rule pack): compensated days, minutes (the days' exact shares of the
    granted time, rounded half up once) and the amount at the pack's hourly rate."""

    days: tuple[date, ...]
    minutes: int
    amount_ore: int
    pack: str
    preliminary: bool  # the pack's amounts are used past the period they were decided for
    why_none: str = ""  # no compensated day: why, in Swedish


def absence_compensation(deps: VisitsDeps, absences: list[Absence]) -> dict[str, Compensation]:
    """Each absence's compensation by billing's own pure rule (``absence_days``, ``absence_months``)
    and rule pack (the files shipped with the code), from visits' own projection of the client's
    decisions (one batched read for every client listed), never billing's table. Preliminary: billing
    drops a day's compensation when an approved visit bills that day, and gives none for a
    termination finance finds mismanaged; neither is known here."""
    from ...billing.domain.basis import absence_days, round_half_up
    from ...billing.domain.inbox import absence_months
    from ...billing.domain.model import AbsenceFacts, GrantFacts
    from ...billing.domain.rules import rule_book
    from ...domain.granted import divide_half_up

    book = rule_book()
    by_client: dict[str, list[Absence]] = {}
    for a in absences:
        by_client.setdefault(str(a.client), []).append(a)
    out: dict[str, Compensation] = {}
    # every client's decisions in one batched read (a hundred clients a request), not one read each
    decisions = deps.lookups.lookups((), (), sorted(by_client))[2] if by_client else {}
    for client, mine in by_client.items():
        grants = [GrantFacts(decision_id=str(d["decision_id"]), insats=str(d["insats"]), outcome=d["outcome"],
                             granted_minutes_per_month=d.get("granted_minutes_per_month"),
                             valid_from=d["valid_from"], valid_to=d.get("valid_to"), decided_at=d["decided_at"])
                  for d in decisions.get(client, []) if d.get("insats") and d.get("outcome")]
        facts = [AbsenceFacts(absence_id=a.absence_id, kind=a.kind, starts_on=a.starts_on, ends_on=a.ends_on,
                              learned_at=a.learned_at, announced_at=a.announced_at) for a in mine]
        for a in mine:
            days: list[Any] = []
            labels, preliminary = set(), False
            for year, month in absence_months(_registered(a)):
                try:
                    pack = book.for_month(deps.municipality, year, month)
                except NotFound:
                    continue
                labels.add(pack.label)
                preliminary = preliminary or bool(book.preliminary(pack, year, month))
                days += [d for d in absence_days(facts, grants, pack, year, month) if d.absence_id == a.absence_id]
            minutes = round_half_up(sum((Fraction(d.minutes) for d in days), Fraction(0)))
            rate = book.for_month(deps.municipality, days[0].day.year, days[0].day.month).hourly_rate_ore if days else 0
            out[a.absence_id] = Compensation(
                days=tuple(d.day for d in days), minutes=minutes, amount_ore=divide_half_up(minutes * rate, 60),
                pack=", ".join(sorted(labels)), preliminary=preliminary,
                why_none="" if minutes else _why_none(a, book, deps.municipality, grants))
    return out


def _why_none(a: Absence, book: Any, municipality: str, grants: list[Any]) -> str:
    try:
        pack = book.for_month(municipality, a.starts_on.year, a.starts_on.month)
    except NotFound:
        return "Det finns inga ersättningsregler för månaden."
    rule = next((r for r in (pack.absence, pack.termination) if a.kind in r.kinds), None)
    if rule is None:
        return "Frånvaro av det här slaget ger ingen ersättning."
    if (rule.none_if_announced_hours_before is not None and a.announced_at is not None
            and datetime.combine(a.starts_on, time(0), tzinfo=STOCKHOLM) - a.announced_at
            >= timedelta(hours=rule.none_if_announced_hours_before)):
        return f"Frånvaron meddelades minst {rule.none_if_announced_hours_before} timmar i förväg."
    if not grants:
        return "Klienten har ingen beviljad tid under frånvaron."
    return "Inga dagar ger ersättning (beviljad tid saknas eller dagarna är redan ersatta)."
