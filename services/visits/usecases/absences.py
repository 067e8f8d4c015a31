"""A client's absences, registered by the provider (``absence.registered`` goes with the write)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...contracts.events import AbsenceRegistered
from ...domain.errors import ValidationFailed
from ..domain.days import noon
from ..domain.model import Absence
from ..schemas import AbsenceView, RegisterAbsence
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
    registered = AbsenceRegistered(absence_id=absence.absence_id, client=absence.client,
                                   provider_id=absence.provider_id, kind=absence.kind, starts_on=absence.starts_on,
                                   ends_on=absence.ends_on, learned_at=absence.learned_at,
                                   announced_at=absence.announced_at)
    deps.absences.add_absence(absence, registered, now)  # the event in the absence's own outbox
    return AbsenceView.of(absence)


def list_absences(deps: VisitsDeps, who: Principal) -> list[AbsenceView]:
    return [AbsenceView.of(a) for a in sorted(deps.absences.absences_of(who.provider_id or ""),
                                               key=lambda a: (a.starts_on, a.absence_id))]
