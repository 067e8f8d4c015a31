"""A person acting for a citizen (a relative or god man, ``X-Acting-For``, inside a case worker's
approval): whom a call acts for, and the audit record of what they read or change as the citizen.

Every access to a citizen's data by someone other than the citizen leaves a record of who (the
relative's masked actor label and name), as whom (``acting_for``), what (action, resource) and
why (the approval). Reads are recorded before the data leaves; changes in their own transaction.
"""
from __future__ import annotations

from typing import Any

from ..domain.calendar import stockholm_date
from ..domain.personnummer import Personnummer
from .relatives import acting_subject


def subject_of(deps: Any, call: Any) -> Personnummer:
    """Whom the caller acts for: themselves, or a citizen who approved them today (403 otherwise)."""
    return acting_subject(call.who, call.acting_for, deps.approvals, stockholm_date(deps.clock()))


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
