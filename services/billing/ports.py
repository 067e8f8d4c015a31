"""The ports billing's use cases need; ``services/adapters/billing_store.py`` implements them on
DynamoDB and ``tests/unit/billing/fakes.py`` in memory.

Every write is one item, conditioned on the revision read (or on not existing), so a use case
needs no multi-item transaction: a lost race is a ``Conflict`` the caller retries or reports.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from .basis import Basis, LineDifference, UnverifiedConfirmation
from .model import ApprovedReport, ClientMonth, ClientProfile, ClientRecord


class FinalBasis(BaseModel):
    """A final invoice basis: never changed once stored. A correction is the next version."""

    model_config = ConfigDict(frozen=True)
    version: int
    basis: Basis
    finalized_at: datetime
    finalized_by: str
    corrects_version: int | None = None
    difference: list[LineDifference] = []
    difference_totals: dict[str, int] = {}
    unverified_confirmation: UnverifiedConfirmation | None = None


class ClientMonthStore(Protocol):
    def client_month(self, provider_id: str, client: str, year: int, month: int) -> tuple[ClientMonth, int]:
        """The client-month and its revision (0: not stored yet; an empty one is returned)."""

    def save_client_month(self, cm: ClientMonth, expected_rev: int) -> None:
        """Stores at ``expected_rev + 1``; ``Conflict`` when someone else wrote in between."""

    def month(self, provider_id: str, year: int, month: int) -> list[ClientMonth]: ...

    def providers(self, year: int, month: int) -> list[str]:
        """Providers with anything stored for the month."""


class ClientStore(Protocol):
    def client(self, client: str) -> ClientRecord: ...

    def clients(self, clients: Iterable[str]) -> dict[str, ClientRecord]: ...

    def save_client(self, record: ClientRecord, expected_rev: int) -> None: ...

    def set_profile(self, client: str, profile: ClientProfile) -> ClientRecord: ...


class FinalStore(Protocol):
    def latest_final(self, provider_id: str, year: int, month: int) -> FinalBasis | None:
        """The latest final version, or None while the month has none."""

    def final(self, provider_id: str, year: int, month: int, version: int) -> FinalBasis | None: ...

    def add_final(self, final: FinalBasis) -> None:
        """Stores the next version (1, or the latest + 1); ``Conflict`` if another got there first."""


class ReportStore(Protocol):
    def put_report(self, report: ApprovedReport) -> None:
        """One per case: storing it again is harmless."""

    def reports(self, year: int, month: int) -> list[ApprovedReport]: ...


class ProviderStore(Protocol):
    """Billing's own copy of the municipality's register of contracted providers (their names):
    loaded like notify's contacts, so billing reads no other service's table."""

    def put_provider(self, provider_id: str, name: str) -> None: ...

    def provider_name(self, provider_id: str) -> str | None: ...


class BillingStore(ClientMonthStore, ClientStore, FinalStore, ReportStore, ProviderStore, Protocol):
    """Billing's read model and what it keeps of its own (finals, the provider register)."""
