"""Finance's classification of a client (area, social psychiatry, mismanaged terminations) and its
history: each change a new dated entry on the client's record (who, when, from which month, why),
written conditioned on the record's revision; the basis of a month uses the classification in force
for that month (``domain.model.profile_in_force``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...auth.principal import Principal
from ...domain.errors import Conflict, FieldError, ValidationFailed
from ...domain.personnummer import InvalidPersonnummer, Personnummer
from ..domain.model import (ClientProfile, ClientRecord, ProfileChange, profile_history, profile_in_force,
                            with_profile_change)
from ..ports import BillingDeps
from ..schemas import ClientProfileRequest, ClientProfileView, year_month

RETRIES = 3


@dataclass(frozen=True)
class Classification:
    """A client's classification as the staff page shows it."""

    client: str
    record: ClientRecord
    in_force: ClientProfile  # this month's
    history: list[ProfileChange]  # in the order they take effect
    decided_social_psychiatry: bool  # the latest decision says so, whatever finance set


def _client(client: str) -> str:
    try:
        return str(Personnummer(client))
    except (InvalidPersonnummer, ValueError) as exc:
        raise ValidationFailed.field("client", str(exc)) from None


def classification(deps: BillingDeps, who: Principal, client: str) -> Classification:
    client = _client(client)
    record = deps.store.client(client)
    today = deps.clock().date()
    return Classification(client=client, record=record, in_force=profile_in_force(record, today.year, today.month),
                          history=profile_history(record), decided_social_psychiatry=record.social_psychiatry_decided)


def change_classification(deps: BillingDeps, who: Principal, client: str, profile: ClientProfile,
                          applies_from: date | None, reason: str) -> ClientRecord:
    """A new entry in the client's classification history; the terminations named must be the
    client's. Retried on a lost race (the inbox may be writing the record's decisions meanwhile)."""
    client = _client(client)
    for _ in range(RETRIES):
        record = deps.store.client(client)
        known = set(record.terminations)
        unknown = [FieldError(f"mismanaged_terminations.{i}", f"{t!r} is not a termination of this client")
                   for i, t in enumerate(profile.mismanaged_terminations) if t not in known]
        if unknown:
            raise ValidationFailed("; ".join(e.detail for e in unknown), errors=unknown)
        profile = profile.model_copy(update={"mismanaged_terminations": tuple(sorted(set(
            profile.mismanaged_terminations)))})
        change = ProfileChange(profile=profile, applies_from=applies_from, changed_at=deps.clock(),
                               changed_by=who.user_id or who.subject, changed_by_name=who.name or "", reason=reason)
        updated = with_profile_change(record, change)
        try:
            deps.store.save_client(updated, record.rev)
        except Conflict:
            continue
        return updated.model_copy(update={"rev": record.rev + 1})
    raise Conflict("the client's record keeps changing; try again")


def set_client_profile(deps: BillingDeps, who: Principal, client: str, body: ClientProfileRequest) -> ClientProfileView:
    """Finance classifies a client: rural or island (supplements), social psychiatry (reference code),
    and the terminations the provider mismanaged; from a month (``applies_from``) or, without one,
    for every month. A month already final keeps its figures; the classification shows in a correction."""
    applies_from = date(*year_month(body.applies_from, "applies_from"), 1) if body.applies_from else None
    record = change_classification(deps, who, client, ClientProfile(
        area=body.area, social_psychiatry=body.social_psychiatry,
        mismanaged_terminations=tuple(body.mismanaged_terminations)), applies_from, body.reason or "")
    return ClientProfileView(client=record.client, area=record.profile.area,
                             social_psychiatry=record.profile.social_psychiatry,
                             mismanaged_terminations=list(record.profile.mismanaged_terminations))
