"""The staff app's events in: checked against the caller and put on the ingest queue as one
message (``processing`` takes them from there)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import FieldError, Unavailable, ValidationFailed
from ..domain.model import VisitEvent
from ..schemas import Accepted, PostVisitEvents
from .guards import caller_user_id

if TYPE_CHECKING:
    from ..ports import VisitsDeps

INGEST_QUEUE = "visits-ingest"


def accept_events(deps: VisitsDeps, who: Principal, body: PostVisitEvents) -> Accepted:
    """Answers at once; the request's events travel through SQS to the processor as one message.
    The staff member of each event is the caller (from the token); nobody registers events for
    another staff member."""
    me = caller_user_id(who)
    errors = [FieldError(f"events.{i}.provider_id", "must be your own provider")
              for i, e in enumerate(body.events) if e.provider_id != who.provider_id]
    errors += [FieldError(f"events.{i}.staff_id", "must be your own user id (or left out): nobody registers "
                                                  "events for another staff member")
               for i, e in enumerate(body.events) if e.staff_id is not None and e.staff_id != me]
    seen: set[str] = set()
    for i, e in enumerate(body.events):
        if str(e.event_id) in seen:
            errors.append(FieldError(f"events.{i}.event_id", "appears twice in the batch"))
        seen.add(str(e.event_id))
    if errors:
        raise ValidationFailed("some events cannot be accepted", errors=errors)
    ids = [str(e.event_id) for e in body.events]
    # validated as they came in: taken over as they are, not validated again
    queued = [VisitEvent.model_construct(**{k: getattr(e, k) for k in VisitEvent.model_fields
                                            if k not in ("staff_id", "sent_by")},
                                         staff_id=me, sent_by=who.actor) for e in body.events]
    failed = deps.send(INGEST_QUEUE, [{"events": [e.model_dump(mode="json") for e in queued]}], ids=ids[:1])
    if failed:
        raise Unavailable(f"{len(ids)} events could not be queued; send them again (resending is harmless)")
    return Accepted(accepted=len(ids), event_ids=ids)
