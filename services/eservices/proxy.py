"""Whom a call acts for, resolved once, and the audit record of what a person acting for a
citizen (a relative or god man, inside a case worker's approval) reads or changes.

``acting(deps, call)`` is the one place that decides whom a call acts for: the caller themselves,
or a citizen who approved them today (403 otherwise). Every use case starts from its ``Acting``;
an ``Acting`` passed on is not resolved again.

Every access to a citizen's data by someone other than the citizen leaves a record of who (the
relative's masked actor label and name), as whom (``acting_for``), what (action, resource) and
why (the approval). Reads are recorded before the data leaves; changes in their own transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..auth.principal import Principal
from ..domain.calendar import stockholm_date
from ..domain.personnummer import Personnummer
from .domain.relatives import acting_subject


@dataclass(frozen=True)
class Acting:
    """Who calls, whom they act for (themselves or a citizen whose approval is in force), and the
    call's idempotency key. No request headers: the HTTP layer has read what it needs."""

    who: Principal
    subject: Personnummer
    idempotency_key: str | None = None

    @property
    def acting_for(self) -> Personnummer | None:
        return None if str(self.subject) == str(self.who.personnummer) else self.subject


def acting(deps: Any, call: Any) -> Acting:
    """``call`` (a ``Call`` from the API or the web) resolved: 403 without an approval in force."""
    if isinstance(call, Acting):
        return call
    subject = acting_subject(call.who, call.acting_for, deps.approvals, stockholm_date(deps.clock()))
    return Acting(who=call.who, subject=subject, idempotency_key=call.idempotency_key)


def subject_of(deps: Any, call: Any) -> Personnummer:
    """Whom the caller acts for: themselves, or a citizen who approved them today (403 otherwise)."""
    return acting(deps, call).subject


def acts_for_another(call: Any, subject: str) -> bool:
    return str(subject) != str(call.who.personnummer)


def audit_read(deps: Any, call: Any, subject: str, action: str, resource: str = "") -> None:
    """Records a read of ``subject``'s data by someone acting for them; nothing for one's own."""
    if acts_for_another(call, subject):
        deps.audit.read(call.who, action, [subject], resource=resource, acting_for=subject)


def audit_change_in(deps: Any, uow: Any, call: Any, subject: str, action: str, resource: str = "") -> None:
    """Adds the record of a change made as ``subject`` to the change's own transaction."""
    if acts_for_another(call, subject):
        deps.audit.add_to(uow, call.who, action, [subject], resource=resource, acting_for=subject)
