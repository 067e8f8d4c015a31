"""Events from other services: a published decision is the source of granted time."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...contracts.events import DecisionPublished, Envelope
from ...domain.granted import home_care_decisions
from .granted_check import compare_waiting

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def on_domain_event(deps: VisitsDeps, envelope: Envelope) -> str:
    """Decisions are the source of granted time (the projection of the client's decisions)."""
    event = envelope.parse()
    if isinstance(event, DecisionPublished):
        decision = event.model_dump(mode="json")
        deps.grants.put_granted(decision)
        if home_care_decisions([decision]):  # it grants home care: compare the waiting months again
            compare_waiting(deps, str(event.client))
        return "granted"
    return "ignored"
