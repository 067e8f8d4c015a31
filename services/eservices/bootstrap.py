"""The composition root of the e-services: builds the adapters once, lazily.

Use cases receive ``EservicesDeps``: repository instances and a unit-of-work factory, built here
over DynamoDB and in the unit tier over in-memory fakes (``tests/support/fakes_eservices.py``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import Clock, utc_now
from ..settings import Settings, settings

if TYPE_CHECKING:  # the register's module (pydantic, the store's codec) loads when deps() is built
    from .people import PopulationRegister

SOURCE = "eservices"


@dataclass
class EservicesDeps:
    publisher: Any
    documents: Any
    signer: Any
    settings: Settings
    register: PopulationRegister
    unit_of_work: Callable[[], Any]
    cases: Any  # cases.CaseRepository
    case_numbers: Any  # cases.CaseNumbers
    drafts: Any  # drafts.DraftRepository
    submit_keys: Any  # drafts.SubmitKeyRepository
    approvals: Any  # relatives.ApprovalRepository
    profiles: Any  # people.ProfileRepository
    contacts: Any  # people.ContactItems
    deliveries: Any  # notifications.DeliveryStatusRepository
    audit: Any  # casework.usecases.audit.AuditTrail
    sessions: Any  # web.sessions.SessionRepository
    clock: Clock = utc_now
    extras: dict[str, Any] = field(default_factory=dict)  # ports added by later features
    casework: Any = None  # case work's repositories (casework/ports.py, wired in casework/bootstrap.py)
    table: Any = None  # the raw table, for tests that inspect what is stored; no use case reads it


def _signer(s: Settings) -> Any:
    from .signing import DevSigner, UnavailableSigner

    folder = os.environ.get("DEV_ISSUER_DIR")
    if s.is_local and folder:
        from ..auth.dev_issuer import DevIssuer

        return DevSigner(DevIssuer(Path(folder), issuer=s.oidc_issuer, audience=s.oidc_audience))
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


def on_first_use(module: str, name: str, *args: Any) -> OnFirstUse:
    """``module``'s ``name`` (relative to this package) called with ``args``, when first used."""
    import importlib

    return OnFirstUse(lambda: getattr(importlib.import_module(module, __package__), name)(*args))


def over_dynamodb(table: Any, publisher: Any, documents: Any, signer: Any, s: Settings,
                  register: PopulationRegister, clock: Clock = utc_now) -> EservicesDeps:
    """Every repository over the one e-services table, each built on first use."""
    from .casework.bootstrap import over_dynamodb as casework_over_dynamodb

    def unit_of_work() -> Any:
        from ..adapters.dynamo import UnitOfWork

        return UnitOfWork(table, SOURCE)

    casework = casework_over_dynamodb(table, on_first_use)
    return EservicesDeps(
        publisher=publisher, documents=documents, signer=signer, settings=s, register=register, clock=clock,
        unit_of_work=unit_of_work,
        cases=on_first_use(".cases", "CaseRepository", table),
        case_numbers=on_first_use(".cases", "CaseNumbers", table),
        drafts=on_first_use(".drafts", "DraftRepository", table),
        submit_keys=on_first_use(".drafts", "SubmitKeyRepository", table),
        approvals=on_first_use(".relatives", "ApprovalRepository", table),
        profiles=on_first_use(".people", "ProfileRepository", table),
        contacts=on_first_use(".people", "ContactItems", table),
        deliveries=on_first_use(".notifications", "DeliveryStatusRepository", table),
        audit=on_first_use(".casework.usecases.audit", "AuditTrail", casework.audit, clock),
        sessions=on_first_use(".web.sessions", "SessionRepository", table), casework=casework, table=table)


@cache
def deps() -> EservicesDeps:
    from ..adapters.messaging import SnsPublisher
    from ..aws import table
    from .people import configured_register

    s = settings()
    return over_dynamodb(table("eservices"), SnsPublisher(), on_first_use("..adapters.documents", "DocumentStore"),
                         OnFirstUse(lambda: _signer(s)), s, configured_register())
