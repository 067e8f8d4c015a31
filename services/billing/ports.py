"""The ports billing's use cases depend on, one per aggregate of its read model, and the deps
they are given (``BillingDeps``). ``adapters/dynamo.py`` implements every port on billing's one
DynamoDB table; ``tests/support/fakes/billing.py`` in memory; the contract tests
(``tests/integration/contracts/test_billing_*.py``) hold both to the same answers.

Every write is one item, conditioned on the revision read (or on not existing), so a use case
needs no multi-item transaction: a lost race is a ``Conflict`` the caller retries or reports.

Light on purpose: the app imports ``bootstrap`` (and so this) at cold start; the domain's models
are named for the type checker only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..clock import Clock, utc_now
from ..domain.ports import Sessions, TokenEndpoint

if TYPE_CHECKING:
    from .domain.approvals import PayoutApproval, StoredRulePack
    from .domain.basis import FinalBasis
    from .domain.model import ApprovedReport, ClientMonth, ClientProfile, ClientRecord
    from .domain.rules import RuleBook


class ClientMonthStore(Protocol):
    """One client's month with one provider: the visits and absences billed from."""

    def client_month(self, provider_id: str, client: str, year: int, month: int) -> tuple[ClientMonth, int]:
        """The client-month and its revision (0: not stored yet; an empty one is returned)."""

    def save_client_month(self, cm: ClientMonth, expected_rev: int) -> None:
        """Stores at ``expected_rev + 1``; ``Conflict`` when someone else wrote in between."""

    def month(self, provider_id: str, year: int, month: int) -> list[ClientMonth]:
        """The provider's client-months of the month, by client."""

    def providers(self, year: int, month: int) -> list[str]:
        """Providers with anything stored for the month, sorted."""


class ClientStore(Protocol):
    """What billing keeps per client: decisions, terminations, finance's classification."""

    def client(self, client: str) -> ClientRecord:
        """The record (with its ``rev``); an empty one at rev 0 when nothing is stored."""

    def clients(self, clients: Iterable[str]) -> dict[str, ClientRecord]: ...

    def save_client(self, record: ClientRecord, expected_rev: int) -> None:
        """Stores at ``expected_rev + 1``; ``Conflict`` when someone else wrote in between."""

    def set_profile(self, client: str, profile: ClientProfile) -> ClientRecord:
        """Finance's classification, kept whatever else changes on the record meanwhile."""


class FinalStore(Protocol):
    """The final bases of a provider's month: versions, never changed once stored."""

    def latest_final(self, provider_id: str, year: int, month: int) -> FinalBasis | None:
        """The latest final version, or None while the month has none."""

    def final(self, provider_id: str, year: int, month: int, version: int) -> FinalBasis | None: ...

    def add_final(self, final: FinalBasis) -> None:
        """Stores the next version (1, or the latest + 1); ``Conflict`` if another got there first."""


class ReportStore(Protocol):
    """Approved contact-person reports, by the month they report."""

    def put_report(self, report: ApprovedReport) -> None:
        """One per case and month: storing it again is harmless."""

    def reports(self, year: int, month: int) -> list[ApprovedReport]:
        """The month's reports, by case id."""


class ProviderStore(Protocol):
    """Billing's own copy of the municipality's register of contracted providers (their names):
    loaded like notify's contacts, so billing reads no other service's table."""

    def put_provider(self, provider_id: str, name: str) -> None: ...

    def provider_name(self, provider_id: str) -> str | None: ...


class PayoutApprovalStore(Protocol):
    """A month's contact-person payouts approved for payment, in rounds 1, 2, …: each stored once,
    never changed."""

    def payout_approval(self, year: int, month: int) -> PayoutApproval | None:
        """Round 1, the month's approval (None before it)."""

    def payout_rounds(self, year: int, month: int) -> list[PayoutApproval]:
        """Every round of the month, round 1 first (an approval stored before rounds is round 1)."""

    def add_payout_approval(self, approval: PayoutApproval) -> None:
        """Stores its round once; ``Conflict`` if that round of the month is approved already."""


class RulePackStore(Protocol):
    """Rule pack versions finance stored (beside the shipped files), per municipality."""

    def stored_rule_packs(self, municipality: str) -> list[StoredRulePack]:
        """Every stored version of the municipality, in the order stored."""

    def add_rule_pack(self, stored: StoredRulePack) -> None:
        """Stores a new version once; ``Conflict`` if that version of the municipality exists."""


class BillingStore(ClientMonthStore, ClientStore, FinalStore, ReportStore, ProviderStore, PayoutApprovalStore,
                   RulePackStore, Protocol):
    """Every port at once: billing's read model is one table, so one adapter serves them all."""


@dataclass
class BillingDeps:
    store: BillingStore
    rules: RuleBook
    municipality: str
    clock: Clock = utc_now
    # The staff web's billing section (``/billing/personal``): its sessions and, in tests, the
    # login's token endpoint
    sessions: Sessions | None = None
    token_endpoint: TokenEndpoint | None = None
