"""Billing's store on DynamoDB (every port of ``ports.py``): its read model of others' events, and
the final bases it keeps. Owns every key, expression and ClientError of the billing table.

Items (table ``insats-billing``):
- ``CM#<provider>#<yyyy-mm>`` / ``<client>``: one client's month with one provider — the visits
  (compact: version, start, minutes, counted, over-granted word, deleted, attested) and the absences; ``rev``.
  A provider's month is one partition, read by one paginated query.
- ``MONTH#<yyyy-mm>`` / ``<provider>``: the providers with anything in the month.
- ``CLIENT#<client>`` / ``CLIENT``: decisions (granted time), finance's classification and its history
  (each change a new entry, written conditioned on ``rev``); ``rev``.
- ``FINAL#<provider>#<yyyy-mm>`` / ``V#<nnnn>``: a final basis, stored once, never updated.
- ``REPORTS#<yyyy-mm>`` / ``<case>``: approved contact-person reports of the month.
- ``PROVIDER#<provider>`` / ``PROVIDER``: the provider's name, from the register of contracted providers.
- ``PAYOUTS#<yyyy-mm>`` / ``APPROVED``: the month's contact-person payouts as approved for payment, once
  (round 1); ``APPROVED#<nnnn>``: a supplementary round n > 1, once.
- ``RULES#<municipality>`` / ``V#<version>``: a rule pack version finance stored, once.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ...adapters.dynamo import from_dynamo, query_partition, to_dynamo, translated_errors
from ...adapters.aws import table
from ...domain.errors import Conflict
from ..domain.approvals import PayoutApproval, StoredRulePack
from ..domain.basis import FinalBasis
from ..domain.model import (AbsenceFacts, ApprovedReport, ClientMonth, ClientProfile, ClientRecord, GrantFacts,
                            ProfileChange, VisitFacts)

_BATCH = 100


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


# A client-month's visits are one JSON string of compact rows, not a DynamoDB map: the item is
# read whole anyway, a string costs nothing to (de)serialize on either side, and a month of a
# client with four visits a day stays far below the 400 KB item limit (~60 bytes a visit).
def _visit_row(v: VisitFacts) -> list:
    return [v.visit_id, v.version, int(v.started_at.timestamp()), v.minutes, int(v.counted), v.over_granted,
            int(v.deleted), v.attested]


def _client_month(item: dict) -> ClientMonth:
    provider, month = item["pk"].split("#", 1)[1].rsplit("#", 1)
    year, mm = (int(x) for x in month.split("-"))
    at, utc = datetime.fromtimestamp, timezone.utc  # the hot loop of a month's read: ~100,000 rows
    # a row stored before attestation was kept (7 long) is unapproved until its visit changes again
    visits = tuple(VisitFacts(r[0], r[1], at(r[2], utc), r[3], r[4] == 1, r[5], r[6] == 1,
                              r[7] if len(r) > 7 else "unapproved")
                   for r in json.loads(item.get("visits") or "[]"))
    absences = tuple(AbsenceFacts.model_validate(a) for a in json.loads(item.get("absences") or "[]"))
    # model_construct: what is stored was validated when it was written
    return ClientMonth.model_construct(provider_id=provider, client=item["sk"], year=year, month=mm, visits=visits,
                                       absences=absences)


def _client(item: dict | None, client: str) -> ClientRecord:
    if item is None:
        return ClientRecord(client=client)
    return ClientRecord(client=client, grants=tuple(GrantFacts.model_validate(g) for _, g in
                                                    sorted((item.get("grants") or {}).items())),
                        terminations=tuple(item.get("terminations") or ()),
                        profile=ClientProfile.model_validate(item.get("profile") or {}),
                        social_psychiatry_decided=bool(item.get("spd")),
                        profile_history=tuple(ProfileChange.model_validate(c)
                                              for c in json.loads(item.get("profile_history") or "[]")),
                        rev=int(item.get("rev", 0)))


def _provider_item(cm: ClientMonth) -> dict:
    return {"pk": f"MONTH#{_month(cm.year, cm.month)}", "sk": cm.provider_id}


def _client_month_item(cm: ClientMonth) -> dict:
    return {"pk": f"CM#{cm.provider_id}#{_month(cm.year, cm.month)}", "sk": cm.client,
            "visits": json.dumps([_visit_row(v) for v in cm.visits], separators=(",", ":")),
            "absences": json.dumps([a.model_dump(mode="json") for a in cm.absences], separators=(",", ":"))}


def _client_item(record: ClientRecord) -> dict:
    return {"pk": f"CLIENT#{record.client}", "sk": "CLIENT",
            "grants": {g.decision_id: g.model_dump(mode="json") for g in record.grants},
            "profile": record.profile.model_dump(mode="json"), "spd": record.social_psychiatry_decided,
            "terminations": list(record.terminations),
            "profile_history": json.dumps([c.model_dump(mode="json") for c in record.profile_history],
                                          separators=(",", ":"))}


class DynamoBillingStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    def _put_at(self, item: dict, expected_rev: int, what: str) -> None:
        item = {**item, "rev": expected_rev + 1}
        if expected_rev == 0:
            condition, values = "attribute_not_exists(pk)", None
        else:
            condition, values = "#rev = :rev", {":rev": expected_rev}
        kwargs: dict[str, Any] = {"Item": to_dynamo(item), "ConditionExpression": condition}
        if values:
            kwargs.update(ExpressionAttributeNames={"#rev": "rev"}, ExpressionAttributeValues=values)
        with translated_errors(f"the {what} changed meanwhile"):
            self.table.put_item(**kwargs)

    # -- client-months ----------------------------------------------------------------------
    def client_month(self, provider_id: str, client: str, year: int, month: int) -> tuple[ClientMonth, int]:
        item = self.table.get_item(Key={"pk": f"CM#{provider_id}#{_month(year, month)}", "sk": client},
                                   ConsistentRead=True).get("Item")
        if item is None:
            return ClientMonth(provider_id=provider_id, client=client, year=year, month=month), 0
        item = from_dynamo(item)
        return _client_month(item), int(item["rev"])

    def save_client_month(self, cm: ClientMonth, expected_rev: int) -> None:
        if expected_rev == 0:  # first the month's provider list: a retry finds it there already
            self.table.put_item(Item=_provider_item(cm))
        self._put_at(_client_month_item(cm), expected_rev, "client's month")

    def month(self, provider_id: str, year: int, month: int) -> list[ClientMonth]:
        return [_client_month(i) for i in query_partition(self.table, f"CM#{provider_id}#{_month(year, month)}")]

    def providers(self, year: int, month: int) -> list[str]:
        return sorted(i["sk"] for i in query_partition(self.table, f"MONTH#{_month(year, month)}"))

    # -- clients -------------------------------------------------------------------------------
    def client(self, client: str) -> ClientRecord:
        item = self.table.get_item(Key={"pk": f"CLIENT#{client}", "sk": "CLIENT"}, ConsistentRead=True).get("Item")
        return _client(from_dynamo(item) if item else None, client)

    def clients(self, clients: Iterable[str]) -> dict[str, ClientRecord]:
        wanted = sorted(set(clients))
        found: dict[str, dict] = {}
        dynamo = self.table.meta.client  # the resource's client: plain Python values in and out
        name = self.table.name
        for i in range(0, len(wanted), _BATCH):
            keys = [{"pk": f"CLIENT#{c}", "sk": "CLIENT"} for c in wanted[i:i + _BATCH]]
            request = {name: {"Keys": keys}}
            while request:
                got = dynamo.batch_get_item(RequestItems=request)
                for raw in got.get("Responses", {}).get(name, []):
                    item = from_dynamo(raw)
                    found[item["pk"].removeprefix("CLIENT#")] = item
                request = got.get("UnprocessedKeys") or None
        return {c: _client(found.get(c), c) for c in wanted}

    def save_client(self, record: ClientRecord, expected_rev: int) -> None:
        self._put_at(_client_item(record), expected_rev, "client")

    def load(self, months: Iterable[ClientMonth], records: Iterable[ClientRecord]) -> int:
        """Writes a whole read model at once (a rebuild from the event history into an empty
        table, or a benchmark's fixture): no conditions, 25 items a call. Returns the items written."""
        written = 0
        with self.table.batch_writer() as batch:
            providers = set()
            for cm in months:
                if (cm.provider_id, cm.year, cm.month) not in providers:
                    providers.add((cm.provider_id, cm.year, cm.month))
                    batch.put_item(Item=_provider_item(cm))
                batch.put_item(Item=to_dynamo({**_client_month_item(cm), "rev": 1}))
                written += 1
            for record in records:
                batch.put_item(Item=to_dynamo({**_client_item(record), "rev": 1}))
                written += 1
        return written

    def set_profile(self, client: str, profile: ClientProfile) -> ClientRecord:
        for _ in range(5):
            record = self.client(client)
            updated = record.model_copy(update={"profile": profile, "rev": record.rev + 1})
            try:
                self.save_client(updated, record.rev)
                return updated
            except Conflict:
                continue
        raise Conflict("the client's record keeps changing; try again")

    # -- finals --------------------------------------------------------------------------------
    # Each version is its own item, written once; a head item names the latest, so reading the
    # basis is two GetItems, and the version and the head are written in one transaction.
    def latest_final(self, provider_id: str, year: int, month: int) -> FinalBasis | None:
        pk = f"FINAL#{provider_id}#{_month(year, month)}"
        head = self.table.get_item(Key={"pk": pk, "sk": "HEAD"}, ConsistentRead=True).get("Item")
        return None if head is None else self.final(provider_id, year, month, int(head["latest"]))

    def final(self, provider_id: str, year: int, month: int, version: int) -> FinalBasis | None:
        item = self.table.get_item(Key={"pk": f"FINAL#{provider_id}#{_month(year, month)}", "sk": f"V#{version:04d}"},
                                   ConsistentRead=True).get("Item")
        return None if item is None else FinalBasis.model_validate_json(item["body"])

    def add_final(self, final: FinalBasis) -> None:
        year, month = final.basis.month.split("-")
        pk = f"FINAL#{final.basis.provider_id}#{year}-{month}"
        head: dict[str, Any] = {"Put": {"TableName": self.table.name, "Item": {"pk": pk, "sk": "HEAD",
                                                                               "latest": final.version}}}
        if final.version == 1:
            head["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            head["Put"].update(ConditionExpression="latest = :previous",
                               ExpressionAttributeValues={":previous": final.version - 1})
        version = {"Put": {"TableName": self.table.name, "ConditionExpression": "attribute_not_exists(pk)",
                           "Item": {"pk": pk, "sk": f"V#{final.version:04d}", "body": final.model_dump_json()}}}
        with translated_errors(f"version {final.version} of this invoice basis exists already"):
            self.table.meta.client.transact_write_items(TransactItems=[version, head])

    # -- approved contact-person reports ----------------------------------------------------------
    def put_report(self, report: ApprovedReport) -> None:
        self.table.put_item(Item=to_dynamo({"pk": f"REPORTS#{_month(report.year, report.month)}",
                                            "sk": report.case_id, "body": json.loads(report.model_dump_json())}))

    def reports(self, year: int, month: int) -> list[ApprovedReport]:
        return [ApprovedReport.model_validate(i["body"]) for i in query_partition(self.table,
                                                                                  f"REPORTS#{_month(year, month)}")]

    # -- the register of contracted providers -----------------------------------------------------
    def put_provider(self, provider_id: str, name: str) -> None:
        self.table.put_item(Item={"pk": f"PROVIDER#{provider_id}", "sk": "PROVIDER", "name": name})

    def provider_name(self, provider_id: str) -> str | None:
        item = self.table.get_item(Key={"pk": f"PROVIDER#{provider_id}", "sk": "PROVIDER"}).get("Item")
        return None if item is None else str(item["name"])

    # -- payouts approved for payment ---------------------------------------------------------------
    @staticmethod
    def _round_key(round_no: int) -> str:
        # round 1 keeps the key it had before rounds existed
        return "APPROVED" if round_no == 1 else f"APPROVED#{round_no:04d}"

    def payout_approval(self, year: int, month: int) -> PayoutApproval | None:
        item = self.table.get_item(Key={"pk": f"PAYOUTS#{_month(year, month)}", "sk": self._round_key(1)},
                                   ConsistentRead=True).get("Item")
        return None if item is None else PayoutApproval.model_validate_json(item["body"])

    def payout_rounds(self, year: int, month: int) -> list[PayoutApproval]:
        items = query_partition(self.table, f"PAYOUTS#{_month(year, month)}", "APPROVED", ConsistentRead=True)
        return sorted((PayoutApproval.model_validate_json(i["body"]) for i in items), key=lambda a: a.round)

    def add_payout_approval(self, approval: PayoutApproval) -> None:
        with translated_errors(f"round {approval.round} of the payouts of {approval.month} is approved already"):
            self.table.put_item(Item={"pk": f"PAYOUTS#{approval.month}", "sk": self._round_key(approval.round),
                                      "body": approval.model_dump_json()},
                                ConditionExpression="attribute_not_exists(pk)")

    # -- rule pack versions finance stored ---------------------------------------------------------
    def stored_rule_packs(self, municipality: str) -> list[StoredRulePack]:
        found = [StoredRulePack.model_validate_json(i["body"]) for i in query_partition(self.table,
                                                                                        f"RULES#{municipality}")]
        return sorted(found, key=lambda s: (s.stored_at, s.pack.version))

    def add_rule_pack(self, stored: StoredRulePack) -> None:
        with translated_errors(f"version {stored.pack.version} of {stored.pack.municipality}'s rules exists already"):
            self.table.put_item(Item={"pk": f"RULES#{stored.pack.municipality}", "sk": f"V#{stored.pack.version}",
                                      "body": stored.model_dump_json()},
                                ConditionExpression="attribute_not_exists(pk)")


def billing_store() -> DynamoBillingStore:
    """The store on the deployment's billing table (its resource is built lazily, on first use)."""
    return DynamoBillingStore(table("billing"))


def web_sessions() -> Any:
    """The billing section's web sessions: the web toolkit's session store over billing's table
    (``WEBSESSION#<sha-256>`` items, TTL), as each staff section keeps its own in its service's table."""
    import importlib

    store = importlib.import_module("...entrypoints.web.adapters.sessions", __package__).SessionRepository
    return store(table("billing"))
