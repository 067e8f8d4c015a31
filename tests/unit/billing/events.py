"""Envelopes as the producers send them, for billing's consumer tests."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from services.contracts.events import Envelope

T0 = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)


def envelope(event_type: str, version: int, payload: dict) -> Envelope:
    return Envelope(event_id=str(uuid.uuid4()), event_type=event_type, version=version, occurred_at=T0,
                    source="test", payload=payload)


def visit_changed(visit_id: str, client: str, *, version: int = 1, minutes: int = 60, provider: str = "p1",
                  start: datetime = T0, gone: bool = False, over: str | None = None, absent: bool = False,
                  year: int = 2026, month: int = 3, status: str = "approved",
                  deviations: tuple[tuple[str, str], ...] = ()) -> Envelope:
    """A visit as visits emits it; approved by the provider's coordinator unless ``status`` says otherwise."""
    content = None if gone else {
        "staff_id": "anna", "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=minutes)).isoformat(),
        "minutes": minutes, "insatser": [{"insats": "personlig_omsorg", "minutes": minutes}], "client_absent": absent,
        "status": status, "deviations": ([{"code": "over_granted_time", "status": over}] if over else [])
        + [{"code": code, "status": word} for code, word in deviations]}
    return envelope("visit.changed", 2, {"visit_id": visit_id, "client": client, "provider_id": provider,
                                         "year": year, "month": month, "visit_version": version,
                                         "change": "deleted" if gone else "updated", "visit": content})


def absence_registered(absence_id: str, client: str, starts: date, *, kind: str = "hospital", provider: str = "p1",
                       ends: date | None = None, revision: int | None = None) -> Envelope:
    extra = {} if revision is None else {"revision": revision}  # an older producer sent none
    return envelope("absence.registered", 1, {**extra,
        "absence_id": absence_id, "client": client, "provider_id": provider, "kind": kind,
        "starts_on": starts.isoformat(), "ends_on": ends.isoformat() if ends else None,
        "learned_at": datetime(starts.year, starts.month, starts.day, 9, tzinfo=timezone.utc).isoformat(),
        "announced_at": None})


def decision(client: str, minutes: int, valid_from: date, *, version: int = 1, social_psychiatry: bool = False,
             decided: datetime = T0, decision_id: str | None = None) -> Envelope:
    payload = {"decision_id": decision_id or str(uuid.uuid4()), "case_id": "c", "case_number": "2026-000001",
               "client": client, "insats": "hemtjanst", "law": "SoL", "outcome": "granted",
               "granted_minutes_per_month": minutes, "valid_from": valid_from.isoformat(), "valid_to": None,
               "decided_at": decided.isoformat(), "notify": {}}
    if version == 2:
        payload.update(granted=[{"insats": "personlig_omsorg", "minutes_per_month": minutes}], provider_id="p1",
                       social_psychiatry=social_psychiatry)
    return envelope("decision.published", version, payload)


def report_approved(case_id: str, person: str, *, km: float = 0, fee: int = 147_000, allowance: int = 49_000,
                    terms_year: int = 2025, year: int = 2026, month: int = 1, assignment: str = "as-1",
                    kind: str = "monthly") -> Envelope:
    return envelope("contact_report.approved", 1, {
        "case_id": case_id, "assignment_id": assignment, "contact_person": person, "kind": kind, "year": year,
        "month": month, "km": km, "fee_ore": fee, "allowance_ore": allowance, "terms_year": terms_year,
        "approved_at": T0.isoformat()})
