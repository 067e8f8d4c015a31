"""Every visits port's DynamoDB adapter over the one visits table, for the composition root (which
then names no table and imports no AWS module itself)."""
from __future__ import annotations

from typing import Any

from ...adapters.aws import table
from .absences import DynamoAbsences
from .batches import STORE_ERRORS
from .client_days import DynamoClientDays
from .devices import DynamoDevices
from .grants import DynamoGrants
from .lookups import DynamoIngestLookups
from .staff import DynamoStaffRegistry


def table_adapters() -> dict[str, Any]:
    """The ports of ``VisitsDeps`` over the visits table, and the errors that mean the store failed."""
    import importlib

    visits = table("visits")  # one table, one adapter per aggregate over it
    # The web section's sessions are the web toolkit's session store, over this context's own table.
    sessions = importlib.import_module("...entrypoints.web.adapters.sessions", __package__).SessionRepository
    return {"sessions": sessions(visits), "days": DynamoClientDays(visits), "devices": DynamoDevices(visits), "staff": DynamoStaffRegistry(visits),
            "absences": DynamoAbsences(visits), "grants": DynamoGrants(visits),
            "lookups": DynamoIngestLookups(visits), "store_errors": STORE_ERRORS}
