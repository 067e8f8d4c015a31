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
    audit: Any  # casework.audit.AuditTrail
    sessions: Any  # web.sessions.SessionRepository
    clock: Clock = utc_now
    extras: dict[str, Any] = field(default_factory=dict)  # ports added by later features
    casework: Any = None  # case work's repositories (casework/stores.py)
    table: Any = None  # the raw table, for tests that inspect what is stored; no use case reads it


def _signer(s: Settings) -> Any:
    from .signing import DevSigner, UnavailableSigner

    folder = os.environ.get("DEV_ISSUER_DIR")
    if s.is_local and folder:
        from ..auth.dev_issuer import DevIssuer

        return DevSigner(DevIssuer(Path(folder), issuer=s.oidc_issuer, audience=s.oidc_audience))
    return UnavailableSigner()


def over_dynamodb(table: Any, publisher: Any, documents: Any, signer: Any, s: Settings,
                  register: PopulationRegister, clock: Clock = utc_now) -> EservicesDeps:
    """Every repository over the one e-services table."""
    from ..adapters.dynamo import UnitOfWork
    from .cases import CaseNumbers, CaseRepository
    from .casework.audit import AuditTrail
    from .casework.stores import CaseworkStores
    from .drafts import DraftRepository, SubmitKeyRepository
    from .notifications import DeliveryStatusRepository
    from .people import ContactItems, ProfileRepository
    from .relatives import ApprovalRepository
    from .web.sessions import SessionRepository

    casework = CaseworkStores.over(table)
    return EservicesDeps(
        publisher=publisher, documents=documents, signer=signer, settings=s, register=register, clock=clock,
        unit_of_work=lambda: UnitOfWork(table, SOURCE),
        cases=CaseRepository(table), case_numbers=CaseNumbers(table), drafts=DraftRepository(table),
        submit_keys=SubmitKeyRepository(table), approvals=ApprovalRepository(table),
        profiles=ProfileRepository(table), contacts=ContactItems(table),
        deliveries=DeliveryStatusRepository(table), audit=AuditTrail(casework.audit, clock),
        sessions=SessionRepository(table), casework=casework, table=table)


@cache
def deps() -> EservicesDeps:
    from ..adapters.documents import DocumentStore
    from ..adapters.messaging import SnsPublisher
    from ..aws import table
    from .people import configured_register

    s = settings()
    return over_dynamodb(table("eservices"), SnsPublisher(), DocumentStore(), _signer(s), s, configured_register())
