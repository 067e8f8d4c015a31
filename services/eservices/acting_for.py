"""Whom a person acts for, resolved once, and the audit record of what a person acting for a
citizen (a relative or god man, inside a case worker's approval) reads or changes.

``resolve_acting(deps, who, acting_for)`` is the one place that decides whom a person acts for:
themselves, or a citizen who approved them today (403 otherwise). The API's routes and the web's
request context call it once per request (from ``X-Acting-For`` or the session); every citizen
use case takes the resulting ``Acting`` and never resolves it again.

Every access to a citizen's data by someone other than the citizen leaves a record of who (the
relative's masked actor label and name), as whom (``acting_for``), what (action, resource) and
why (the approval). Reads are recorded before the data leaves; changes in their own transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..auth.principal import Principal
from ..domain.calendar import stockholm_date
from ..domain.errors import Forbidden
from ..domain.personnummer import Personnummer
from .domain.citizen_problems import citizen_error

if TYPE_CHECKING:
    from .ports import ApprovalRepository


def acting_subject(principal: Any, acting_for: Personnummer | None, approvals: ApprovalRepository,
                   today: date) -> Personnummer:
    """Whom a logged-in person acts for: themselves, or a citizen who approved them today."""
    me = principal.personnummer
    if me is None:
        raise citizen_error(Forbidden, "E-tjänsterna används av personer inloggade med e-legitimation")
    if acting_for is None or acting_for == me:
        return me
    if approvals.active_approval(acting_for, me, today) is None:
        raise citizen_error(Forbidden, "Du har inget godkännande att företräda den här personen i dag")
    return acting_for


@dataclass(frozen=True)
class Acting:
    """Who acts (the logged-in person) and the party they act for: themselves, or a citizen whose
    approval is in force. A domain value: no request, no headers."""

    who: Principal
    subject: Personnummer

    @property
    def acting_for(self) -> Personnummer | None:
        """The citizen acted for when that is someone else; ``None`` when acting for oneself."""
        return None if str(self.subject) == str(self.who.personnummer) else self.subject

    @property
    def for_another(self) -> bool:
        return self.acting_for is not None


def resolve_acting(deps: Any, who: Principal, acting_for: Personnummer | None = None) -> Acting:
    """``who`` acting for themselves, or for ``acting_for`` if that citizen approved them today:
    403 without an approval in force."""
    subject = acting_subject(who, acting_for, deps.approvals, stockholm_date(deps.clock()))
    return Acting(who=who, subject=subject)


def audit_read(deps: Any, acting: Acting, subject: str, action: str, resource: str = "") -> None:
    """Records a read of ``subject``'s data by someone acting for them; nothing for one's own."""
    if str(subject) != str(acting.who.personnummer):
        deps.audit.read(acting.who, action, [subject], resource=resource, acting_for=subject)


def audit_change_in(deps: Any, uow: Any, acting: Acting, subject: str, action: str, resource: str = "") -> None:
    """Adds the record of a change made as ``subject`` to the change's own transaction."""
    if str(subject) != str(acting.who.personnummer):
        deps.audit.add_to(uow, acting.who, action, [subject], resource=resource, acting_for=subject)
