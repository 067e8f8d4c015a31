"""Builders for billing's pure rules: visits, absences, decisions, client-months."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from services.billing.domain.model import AbsenceFacts, ClientMonth, GrantFacts, VisitFacts
from services.billing.domain.rules import rule_book
from tests.support.people import new_pnr

OLD = new_pnr(1940)          # over 65 in every month billed here
YOUNG = new_pnr(1985)        # under 65
HANINGE_2026 = rule_book().for_month("haninge", 2026, 3)
EXEMPEL_2026 = rule_book().for_month("exempel", 2026, 3)


def grant(minutes: int, valid_from: date, valid_to: date | None = None, *, decided: int = 1,
          insats: str = "hemtjanst", outcome: str = "granted", decision_id: str | None = None) -> GrantFacts:
    return GrantFacts(decision_id=decision_id or f"d-{minutes}-{valid_from}-{decided}", insats=insats,
                      outcome=outcome, granted_minutes_per_month=minutes, valid_from=valid_from, valid_to=valid_to,
                      decided_at=datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(days=decided))


def visit(i: int, minutes: int, *, day: int = 1, over: str = "none", year: int = 2026, month: int = 3,
          counted: bool = True, attested: str = "approved") -> VisitFacts:
    """A visit; approved by the provider's coordinator unless ``attested`` says otherwise."""
    return VisitFacts(visit_id=f"v{i:04d}", version=1, minutes=minutes, counted=counted, over_granted=over,
                      attested=attested, started_at=datetime(year, month, day, 8, tzinfo=timezone.utc) + timedelta(minutes=i))


def absence(starts: date, *, ends: date | None = None, learned: datetime | None = None,
            announced: datetime | None = None, kind: str = "hospital", mismanaged: bool = False,
            absence_id: str = "a1") -> AbsenceFacts:
    return AbsenceFacts(absence_id=absence_id, kind=kind, starts_on=starts, ends_on=ends,
                        learned_at=learned or datetime(starts.year, starts.month, starts.day, 9, tzinfo=timezone.utc),
                        announced_at=announced, provider_mismanaged=mismanaged)


def client_month(client: str = OLD, visits=(), absences=(), year: int = 2026, month: int = 3) -> ClientMonth:
    return ClientMonth(provider_id="p1", client=client, year=year, month=month, visits=tuple(visits),
                       absences=tuple(absences))
