"""The composition root of the e-services: builds the adapters once, lazily.

Use cases receive ``EservicesDeps``; tests build one with fakes or with a moto-backed table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..adapters.documents import DocumentStore
from ..adapters.dynamo import UnitOfWork
from ..adapters.messaging import SnsPublisher
from ..clock import Clock, utc_now
from ..settings import Settings, settings
from .cases import CaseRepository
from .drafts import DraftRepository
from .people import PopulationRegister, ProfileRepository, configured_register
from .relatives import ApprovalRepository

SOURCE = "eservices"


@dataclass
class EservicesDeps:
    table: Any
    publisher: Any
    documents: Any
    signer: Any
    settings: Settings
    register: PopulationRegister
    clock: Clock = utc_now
    extras: dict[str, Any] = field(default_factory=dict)  # ports added by later features
    casework: Any = None  # case work's repositories (casework/stores.py), over the table unless given

    def __post_init__(self) -> None:
        if self.casework is None and self.table is not None:
            from .casework.stores import CaseworkStores

            self.casework = CaseworkStores.over(self.table)

    @property
    def drafts(self) -> DraftRepository:
        return DraftRepository(self.table)

    @property
    def cases(self) -> CaseRepository:
        return CaseRepository(self.table)

    @property
    def approvals(self) -> ApprovalRepository:
        return ApprovalRepository(self.table)

    @property
    def profiles(self) -> ProfileRepository:
        return ProfileRepository(self.table)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table, SOURCE)


def _signer(s: Settings) -> Any:
    from .signing import DevSigner, UnavailableSigner

    folder = os.environ.get("DEV_ISSUER_DIR")
    if s.is_local and folder:
        from ..auth.dev_issuer import DevIssuer

        return DevSigner(DevIssuer(Path(folder), issuer=s.oidc_issuer, audience=s.oidc_audience))
    return UnavailableSigner()


@cache
def deps() -> EservicesDeps:
    from ..aws import table

    s = settings()
    return EservicesDeps(table=table("eservices"), publisher=SnsPublisher(), documents=DocumentStore(),
                         signer=_signer(s), settings=s, register=configured_register())
