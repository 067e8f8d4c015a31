"""The in-memory fake of billing's ports (services/billing/ports.py): one class, as the DynamoDB
adapter (services/billing/adapters/dynamo.py) is one, held to the same answers by
tests/integration/contracts/test_billing_*.py. Keeps what the adapter keeps: a visit's start to
the second in UTC, a client's grants by decision id, reports per month by case id."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone

from services.billing.domain.basis import FinalBasis
from services.billing.domain.model import ApprovedReport, ClientMonth, ClientProfile, ClientRecord
from services.domain.errors import Conflict


def _as_stored(cm: ClientMonth) -> ClientMonth:
    """The adapter stores a visit's start as whole seconds since the epoch."""
    return cm.model_copy(update={"visits": tuple(
        replace(v, started_at=datetime.fromtimestamp(int(v.started_at.timestamp()), timezone.utc))
        for v in cm.visits)})


class InMemoryBillingStore:
    def __init__(self) -> None:
        self.months: dict[tuple, tuple[ClientMonth, int]] = {}
        self.records: dict[str, ClientRecord] = {}
        self.final_bases: dict[tuple, list[FinalBasis]] = {}
        self.approved: dict[tuple[int, int, str], ApprovedReport] = {}
        self.provider_names: dict[str, str] = {}
        self.payout_approvals: dict[tuple[str, int], object] = {}  # by (month, round)
        self.rule_packs: dict[tuple[str, str], object] = {}
        self.writes = 0
        self.fail_next_save: int = 0  # simulates a lost race

    # -- client-months ----------------------------------------------------------------------
    def client_month(self, provider_id, client, year, month):
        return self.months.get((provider_id, client, year, month),
                               (ClientMonth(provider_id=provider_id, client=client, year=year, month=month), 0))

    def save_client_month(self, cm, expected_rev):
        key = (cm.provider_id, cm.client, cm.year, cm.month)
        if self.fail_next_save:
            self.fail_next_save -= 1
            raise Conflict("raced")
        if self.months.get(key, (None, 0))[1] != expected_rev:
            raise Conflict("changed")
        self.writes += 1
        self.months[key] = (_as_stored(cm), expected_rev + 1)

    def month(self, provider_id, year, month):
        return [cm for (p, _, y, m), (cm, _) in sorted(self.months.items()) if (p, y, m) == (provider_id, year, month)]

    def providers(self, year, month):
        return sorted({p for (p, _, y, m) in self.months if (y, m) == (year, month)})

    # -- clients -------------------------------------------------------------------------------
    def client(self, client):
        return self.records.get(client, ClientRecord(client=client))

    def clients(self, clients: Iterable[str]):
        return {c: self.client(c) for c in set(clients)}

    def save_client(self, record, expected_rev):
        if self.client(record.client).rev != expected_rev:
            raise Conflict("changed")
        self.writes += 1
        self.records[record.client] = record.model_copy(update={
            "rev": expected_rev + 1, "grants": tuple(sorted(record.grants, key=lambda g: g.decision_id))})

    def set_profile(self, client, profile: ClientProfile):
        record = self.client(client)
        self.save_client(record.model_copy(update={"profile": profile}), record.rev)
        return self.client(client)

    # -- finals --------------------------------------------------------------------------------
    def latest_final(self, provider_id, year, month):
        versions = self.final_bases.get((provider_id, year, month), [])
        return versions[-1] if versions else None

    def final(self, provider_id, year, month, version):
        return next((f for f in self.final_bases.get((provider_id, year, month), []) if f.version == version), None)

    def add_final(self, final: FinalBasis):
        year, month = (int(x) for x in final.basis.month.split("-"))
        versions = self.final_bases.setdefault((final.basis.provider_id, year, month), [])
        if final.version != len(versions) + 1:
            raise Conflict("exists")
        versions.append(final.model_copy(deep=True))

    # -- approved contact-person reports ----------------------------------------------------------
    def put_report(self, report: ApprovedReport):
        self.approved[(report.year, report.month, report.case_id)] = report

    def reports(self, year, month):
        return [r for (y, m, _), r in sorted(self.approved.items()) if (y, m) == (year, month)]

    # -- the register of contracted providers -----------------------------------------------------
    def put_provider(self, provider_id, name):
        self.provider_names[provider_id] = name

    def provider_name(self, provider_id):
        return self.provider_names.get(provider_id)

    # -- payouts approved for payment ---------------------------------------------------------------
    def payout_approval(self, year, month):
        return self.payout_approvals.get((f"{year:04d}-{month:02d}", 1))

    def payout_rounds(self, year, month):
        month_key = f"{year:04d}-{month:02d}"
        return [a for (m, _), a in sorted(self.payout_approvals.items()) if m == month_key]

    def add_payout_approval(self, approval):
        key = (approval.month, approval.round)
        if key in self.payout_approvals:
            raise Conflict("approved already")
        self.writes += 1
        self.payout_approvals[key] = approval.model_copy(deep=True)

    # -- rule pack versions finance stored ---------------------------------------------------------
    def stored_rule_packs(self, municipality):
        found = [s for (m, _), s in self.rule_packs.items() if m == municipality]
        return sorted(found, key=lambda s: (s.stored_at, s.pack.version))

    def add_rule_pack(self, stored):
        key = (stored.pack.municipality, stored.pack.version)
        if key in self.rule_packs:
            raise Conflict("exists")
        self.writes += 1
        self.rule_packs[key] = stored.model_copy(deep=True)
