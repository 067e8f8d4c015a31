"""The provider's month at a glance (the coordinator's start page, "Översikt") and the month before
the lock date with a preliminary invoice basis ("Månaden och fakturaunderlag"). Provider leads
(coordinator, manager: ``visits.approve``) of their own provider only.

The overview reads only the month's kept summaries (``domain.summaries``: one Query) and the
clients' decisions (one batched read): never the month's visits. The month page reads the month's
visits and absences and computes the invoice basis with billing's own pure rules
(``billing.domain.basis.compute``, fed the same facts billing folds from visits' events:
``billing.domain.inbox.visit_facts`` of the ``visit.changed`` visits would publish) — never
billing's table. What visits does not hold (finance's classification of the client: area
supplements, social psychiatry, mismanaged terminations) is left at billing's default and said so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ...auth.principal import Principal, Role
from ...domain.calendar import is_month_open, lock_date, stockholm_date, working_days_until
from ...domain.errors import Forbidden, ValidationFailed
from ...domain.granted import latest_home_care_minutes
from ..domain.exceptions import RED
from ..domain.summaries import ClientMonthSummary, OpenVisits, open_visits, ordered_kinds

if TYPE_CHECKING:
    from ..ports import VisitsDeps

LEADS = (Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER)


def lead_provider(who: Principal) -> str:
    """The provider a coordinator or manager leads; anyone else is refused."""
    if who.role not in LEADS or not who.provider_id:
        raise Forbidden("the month's overview is for the provider's coordinators and manager")
    return who.provider_id


def _month(year: int, month: int) -> None:
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationFailed.field("month", "a month of 1900–2100")


@dataclass(frozen=True)
class ClientRow:
    client: str
    performed: int  # minutes so far (ended visits)
    approved: int
    granted: int | None  # None: no home-care decision in force that month

    @property
    def share(self) -> int | None:
        """Performed of granted, in whole per cent (None: nothing granted)."""
        return round(100 * self.performed / self.granted) if self.granted else None


@dataclass(frozen=True)
class MonthOverview:
    provider: str
    year: int
    month: int
    today: date
    registered: int
    approved: int
    waiting: int  # ended, not approved
    open: OpenVisits
    minutes: int
    approved_minutes: int
    exceptions: dict[str, int]  # unresolved kinds (missing_departure from the open visits of past days)
    lock_date: date
    working_days_left: int
    month_open: bool
    clients: list[ClientRow] = field(default_factory=list)

    @property
    def red(self) -> int:
        return sum(n for k, n in self.exceptions.items() if k in RED)

    @property
    def pending_decisions(self) -> int:
        return self.exceptions.get("waiting_for_case_worker", 0)

    @property
    def unapproved(self) -> int:
        return self.registered - self.approved

    @property
    def blockers(self) -> dict[str, int]:
        """What still keeps the month from being all approved (only what is non-zero)."""
        found = {"unapproved": self.unapproved, "red": self.red, "pending_decisions": self.pending_decisions}
        return {k: n for k, n in found.items() if n}


def granted_of(deps: "VisitsDeps", clients: list[str], year: int, month: int) -> dict[str, int | None]:
    """Each client's granted home-care minutes of the month, the decisions read in one batch."""
    if not clients:
        return {}
    decisions = deps.lookups.lookups([], [], clients)[2]
    return {c: latest_home_care_minutes(decisions.get(c, []), year, month) for c in clients}


def month_overview(deps: "VisitsDeps", who: Principal, year: int, month: int) -> MonthOverview:
    provider = lead_provider(who)
    _month(year, month)
    now = deps.clock()
    today = stockholm_date(now)
    summaries: list[ClientMonthSummary] = [s for s in deps.days.month_summaries(provider, year, month)
                                           if s["registered"]]
    opened = open_visits(summaries, year, month, today)
    exceptions: dict[str, int] = {}
    for s in summaries:
        for kind, n in s.exceptions.items():
            exceptions[kind] = exceptions.get(kind, 0) + n
    if opened.missing_departure:
        exceptions["missing_departure"] = opened.missing_departure
    exceptions = {k: exceptions[k] for k in ordered_kinds(exceptions)}
    granted = granted_of(deps, [s.client for s in summaries], year, month)
    rows = [ClientRow(s.client, s["minutes"], s["approved_minutes"], granted.get(s.client)) for s in summaries]
    locks = lock_date(year, month)
    return MonthOverview(
        provider=provider, year=year, month=month, today=today,
        registered=sum(s["registered"] for s in summaries), approved=sum(s["approved"] for s in summaries),
        waiting=sum(s.waiting for s in summaries), open=opened, minutes=sum(s["minutes"] for s in summaries),
        approved_minutes=sum(s["approved_minutes"] for s in summaries), exceptions=exceptions,
        lock_date=locks, working_days_left=working_days_until(today, locks),
        month_open=is_month_open(year, month, now), clients=rows)


# -- the month and its preliminary invoice basis ------------------------------------------------

@dataclass(frozen=True)
class BasisRow:
    client: str
    granted: int
    performed: int  # every ended visit's minutes, verified or not
    approved: int
    absence_minutes: int
    billable_minutes: int
    amount_ore: int
    unverified_minutes: int
    line: Any  # billing's Line


@dataclass(frozen=True)
class MonthBasis:
    provider: str
    year: int
    month: int
    rows: list[BasisRow]
    basis: Any  # billing's Basis, as billing would compute it now from visits' data
    pack_label: str
    lock_date: date
    month_open: bool
    # What visits cannot know and the basis therefore leaves at billing's default
    not_known: tuple[str, ...] = ("area", "social_psychiatry", "mismanaged_terminations")

    @property
    def totals(self) -> Any:
        return self.basis.totals


def month_basis(deps: "VisitsDeps", who: Principal, year: int, month: int) -> MonthBasis:
    """Per client granted, performed, approved, absence compensation and the preliminary invoice
    basis, computed by billing's rules from visits' own data."""
    from ...billing.domain.basis import compute
    from ...billing.domain.inbox import visit_facts
    from ...billing.domain.model import AbsenceFacts, ClientMonth, ClientProfile, GrantFacts
    from ...billing.domain.rules import rule_book
    from ..domain.outgoing import visit_changed

    provider = lead_provider(who)
    _month(year, month)
    visits = deps.days.visits_of_month(provider, year, month)
    absences = deps.absences.absences_of(provider)
    facts: dict[str, list] = {}
    performed: dict[str, int] = {}
    approved: dict[str, int] = {}
    for v in visits:
        client = str(v.client)
        facts.setdefault(client, []).append(visit_facts(visit_changed(v, year, month, "updated")))
        performed[client] = performed.get(client, 0) + v.minutes
        if v.status == "approved":
            approved[client] = approved.get(client, 0) + v.minutes
    absent: dict[str, list] = {}
    for a in absences:
        absent.setdefault(str(a.client), []).append(AbsenceFacts(
            absence_id=a.absence_id, kind=a.kind, starts_on=a.starts_on, ends_on=a.ends_on,
            learned_at=a.learned_at, announced_at=a.announced_at))
    clients = sorted(set(facts) | set(absent))
    decisions = deps.lookups.lookups([], [], clients)[2] if clients else {}
    grants = {c: tuple(GrantFacts(decision_id=str(d["decision_id"]), insats=str(d["insats"]),
                                  outcome=d["outcome"], granted_minutes_per_month=d.get("granted_minutes_per_month"),
                                  valid_from=str(d["valid_from"])[:10],
                                  valid_to=str(d["valid_to"])[:10] if d.get("valid_to") else None,
                                  decided_at=d["decided_at"])
                       for d in decisions.get(c, []) if d.get("outcome") in ("granted", "refused"))
              for c in clients}
    months = [ClientMonth(provider_id=provider, client=c, year=year, month=month,
                          visits=tuple(sorted(facts.get(c, []), key=lambda f: f.visit_id)),
                          absences=tuple(sorted(absent.get(c, []), key=lambda a: a.absence_id)))
              for c in clients]
    book = rule_book()
    pack = book.for_month(deps.municipality, year, month)
    basis = compute(provider, year, month, months, grants, {c: ClientProfile() for c in clients}, pack,
                    book.preliminary(pack, year, month))
    rows = [BasisRow(client=line.client, granted=line.granted_minutes, performed=performed.get(line.client, 0),
                     approved=approved.get(line.client, 0), absence_minutes=line.absence_minutes,
                     billable_minutes=line.billable_minutes, amount_ore=line.amount_ore,
                     unverified_minutes=line.unapproved_minutes + line.awaiting_decision_minutes, line=line)
            for line in basis.lines]
    return MonthBasis(provider=provider, year=year, month=month, rows=rows, basis=basis, pack_label=pack.label,
                      lock_date=lock_date(year, month), month_open=is_month_open(year, month, deps.clock()))
