"""What the identity use cases share: today's date, new ids, audit entries."""
from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from ...domain.calendar import stockholm_date
from ..domain.model import AuditEntry

if TYPE_CHECKING:
    from ..ports import IdentityDeps


def today(deps: IdentityDeps) -> date:
    return stockholm_date(deps.clock())


def entry(deps: IdentityDeps, action: str, actor: str, **fields: Any) -> AuditEntry:
    return AuditEntry(entry_id=uuid.uuid4().hex, at=deps.clock(), action=action, actor=actor, **fields)
