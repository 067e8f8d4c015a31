"""The composition root of the e-services: builds the adapters once, lazily.

Use cases receive ``EservicesDeps`` (``ports.py``): repository instances and a unit-of-work
factory, built here over DynamoDB (``adapters/``) and in the unit tier over in-memory fakes
(``tests/support/fakes/eservices.py``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import Clock, utc_now
from ..settings import Settings, settings

if TYPE_CHECKING:  # the app imports this module at its cold start; the ports load with deps()
    from .ports import EservicesDeps, PopulationRegister

SOURCE = "eservices"


def _signer(s: Settings) -> Any:
    from .adapters.signing import DevSigner, UnavailableSigner

    folder = os.environ.get("DEV_ISSUER_DIR")
    if s.is_local and folder:
        from ..auth.dev_issuer import DevIssuer

        return DevSigner(DevIssuer(Path(folder), issuer=s.token_issuer, audience=s.token_audience))
    return UnavailableSigner()


class OnFirstUse:
    """A port built the first time it is used: a request imports the modules (and builds the
    models) of the repositories it uses, not every feature's, on a cold start. Building twice
    from two threads is harmless (a repository holds only its table)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self._built = build, None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = self._build()
        return getattr(self._built, name)


def on_first_use(module: str, name: str, *args: Any) -> Any:
    """``module``'s ``name`` (relative to this package) called with ``args``, when first used."""
    import importlib

    return OnFirstUse(lambda: getattr(importlib.import_module(module, __package__), name)(*args))


def over_dynamodb(table: Any, publisher: Any, documents: Any, signer: Any, s: Settings,
                  register: PopulationRegister, clock: Clock = utc_now) -> EservicesDeps:
    """Every repository over the one e-services table, each built on first use."""
    from .adapters.table import units_of_work
    from .casework.bootstrap import over_dynamodb as casework_over_dynamodb
    from .ports import EservicesDeps

    casework = casework_over_dynamodb(table, on_first_use)
    return EservicesDeps(
        publisher=publisher, documents=documents, signer=signer, settings=s, register=register, clock=clock,
        unit_of_work=units_of_work(table, SOURCE),
        cases=on_first_use(".adapters.cases", "DynamoCaseRepository", table),
        case_numbers=on_first_use(".adapters.cases", "DynamoCaseNumbers", table),
        drafts=on_first_use(".adapters.drafts", "DynamoDraftRepository", table),
        submit_keys=on_first_use(".adapters.drafts", "DynamoSubmitKeys", table),
        approvals=on_first_use(".adapters.relatives", "DynamoApprovalRepository", table),
        profiles=on_first_use(".adapters.people", "DynamoProfileRepository", table),
        contacts=on_first_use(".adapters.people", "DynamoStoredContacts", table),
        deliveries=on_first_use(".adapters.deliveries", "DynamoDeliveryStatuses", table),
        audit=on_first_use(".casework.usecases.audit", "AuditTrail", casework.audit, clock),
        sessions=on_first_use("..entrypoints.web.adapters.sessions", "SessionRepository", table), casework=casework)


@cache
def deps() -> EservicesDeps:
    from ..adapters.messaging import SnsPublisher
    from .adapters.register import configured_register
    from .adapters.table import eservices_table

    s = settings()
    return over_dynamodb(eservices_table(), SnsPublisher(), on_first_use("..adapters.documents", "DocumentStore"),
                         OnFirstUse(lambda: _signer(s)), s, configured_register())
