"""The identity context's DynamoDB adapters (key spaces: ``adapters/__init__.py``)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ...adapters.dynamo import (UnitOfWork, days, from_dynamo, give_index_keys, query_all, query_partition, to_dynamo,
                                translated_errors)
from ...domain.errors import Conflict
from ..domain.model import AuditEntry, Organisation, StaffAccount

if TYPE_CHECKING:
    from ...contracts.events import Event

SOURCE = "identity"


def org_key(organisation_id: str) -> dict[str, str]:
    return {"pk": f"ORG#{organisation_id}", "sk": "ORG"}


def account_key(account_id: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": "ACCOUNT"}


def pnr_key(personnummer: str) -> dict[str, str]:
    return {"pk": f"STAFFPNR#{personnummer}", "sk": "PNR"}


def _account_item(a: StaffAccount) -> dict[str, Any]:
    return {**account_key(a.account_id), "type": "staff_account", **a.model_dump(mode="json"),
            "gsi1pk": f"ORGACCOUNTS#{a.organisation_id}", "gsi1sk": a.account_id,
            "gsi2pk": "ACCOUNTENDS", "gsi2sk": f"{a.valid_to.isoformat()}#{a.account_id}"}


def _pnr_item(a: StaffAccount) -> dict[str, Any]:
    return {**pnr_key(a.personnummer), "type": "staff_pnr", "account_id": a.account_id}


def _audit_item(e: AuditEntry) -> dict[str, Any]:
    """Kept per day (the auditors' search by period) and, for an account's entries, in that account's
    partition of gsi1 too (its whole history, on its page, without reading every day since it began)."""
    sort = f"{e.at.isoformat()}#{e.entry_id}"
    by_account = {"gsi1pk": f"ACCOUNTAUDIT#{e.account_id}", "gsi1sk": sort} if e.account_id else {}
    return {"pk": f"AUDIT#{e.at.date().isoformat()}", "sk": sort, "type": "identity_audit", **by_account,
            **e.model_dump(mode="json", exclude_none=True)}


def _audit_entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry.model_validate({k: v for k, v in item.items() if k in AuditEntry.model_fields})


def _account(item: dict[str, Any]) -> StaffAccount:
    return StaffAccount.model_validate(from_dynamo(item))


def _with_events(uow: UnitOfWork, events: Sequence[Event]) -> UnitOfWork:
    """The write's events go into its transaction's outbox item; the table's stream relay publishes."""
    for event in events:
        uow.emit(event)
    return uow


class DynamoOrganisations:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        with translated_errors():
            item = self.table.get_item(Key=org_key(organisation_id), ConsistentRead=True).get("Item")
        return Organisation.model_validate(from_dynamo(item)) if item else None

    def all_organisations(self) -> list[Organisation]:
        with translated_errors():
            items = query_partition(self.table, "ORGS", index="gsi1")
        return sorted((Organisation.model_validate(i) for i in items), key=lambda o: o.organisation_id)

    def put_organisation(self, organisation: Organisation) -> None:
        with translated_errors():
            self.table.put_item(Item=to_dynamo({**org_key(organisation.organisation_id), "type": "organisation",
                                                **organisation.model_dump(mode="json"),
                                                "gsi1pk": "ORGS", "gsi1sk": organisation.organisation_id}))


class DynamoStaffAccounts:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get_account(self, account_id: str) -> StaffAccount | None:
        with translated_errors():
            item = self.table.get_item(Key=account_key(account_id), ConsistentRead=True).get("Item")
        return _account(item) if item else None

    def account_of(self, personnummer: str) -> StaffAccount | None:
        with translated_errors():
            pointer = self.table.get_item(Key=pnr_key(personnummer), ConsistentRead=True).get("Item")
        return self.get_account(pointer["account_id"]) if pointer else None

    def accounts_of(self, organisation_id: str) -> list[StaffAccount]:
        with translated_errors():
            items = query_partition(self.table, f"ORGACCOUNTS#{organisation_id}", index="gsi1")
        return sorted((StaffAccount.model_validate(i) for i in items), key=lambda a: a.account_id)

    def ending_between(self, first: date, last: date) -> list[StaffAccount]:
        # The sort key is "<valid_to>#<id>": up to the day after ``last`` takes every id of ``last``.
        with translated_errors():
            items = query_all(self.table, IndexName="gsi2",
                              KeyConditionExpression="gsi2pk = :pk AND gsi2sk BETWEEN :first AND :last",
                              ExpressionAttributeValues={":pk": "ACCOUNTENDS", ":first": first.isoformat(),
                                                         ":last": (last + timedelta(days=1)).isoformat()})
        found = (StaffAccount.model_validate(i) for i in items)
        return [a for a in found if a.ended_at is None and first <= a.valid_to <= last]

    def add_account(self, account: StaffAccount, audit: AuditEntry, events: Sequence[Event] = ()) -> None:
        uow = _with_events(UnitOfWork(self.table, SOURCE), events)
        uow.put(_account_item(account), condition="attribute_not_exists(pk)")
        uow.put(_pnr_item(account), condition="attribute_not_exists(pk)")
        uow.put(_audit_item(audit))
        uow.commit("the person already has an account")

    def save_account(self, account: StaffAccount, expected_version: int, audit: AuditEntry,
                     events: Sequence[Event] = ()) -> StaffAccount:
        saved = account.model_copy(update={"version": expected_version + 1})
        uow = _with_events(UnitOfWork(self.table, SOURCE), events)
        uow.put(_account_item(saved), condition="#v = :v", names={"#v": "version"}, values={":v": expected_version})
        uow.put(_audit_item(audit))
        uow.commit("the account changed since it was read; read it again")
        return saved

    def put_account(self, account: StaffAccount, events: Sequence[Event] = ()) -> None:
        uow = _with_events(UnitOfWork(self.table, SOURCE), events)
        uow.put(_account_item(account))
        uow.put(_pnr_item(account))
        uow.commit()


class DynamoAuditTrail:
    def __init__(self, table: Any) -> None:
        self.table = table

    def record(self, entry: AuditEntry) -> None:
        with translated_errors():
            self.table.put_item(Item=to_dynamo(_audit_item(entry)))

    def entries(self, first: date, last: date) -> list[AuditEntry]:
        found: list[AuditEntry] = []
        for day in days(first, last):
            with translated_errors():
                items = query_partition(self.table, f"AUDIT#{day.isoformat()}")
            found += [_audit_entry(i) for i in items]
        return found

    def index_by_account(self, first: date, last: date) -> int:
        """One-off and idempotent (``make index-identity-audit``): entries of the days [first, last]
        written before an account's entries were also kept in its gsi1 partition get those keys now.
        Returns how many were given them."""
        def keys_of(item: dict) -> tuple[str, str] | None:
            if not item.get("account_id"):
                return None
            keys = _audit_item(_audit_entry(item))
            return keys["gsi1pk"], keys["gsi1sk"]

        return give_index_keys(self.table, (f"AUDIT#{day.isoformat()}" for day in days(first, last)), "gsi1", keys_of)

    def entries_of_account(self, account_id: str) -> list[AuditEntry]:
        with translated_errors():
            items = query_partition(self.table, f"ACCOUNTAUDIT#{account_id}", index="gsi1")
        return [_audit_entry(i) for i in items]


class DynamoReminders:
    def __init__(self, table: Any) -> None:
        self.table = table

    def mark_reminded(self, account_id: str, valid_to: date, audit: AuditEntry, events: Sequence[Event] = ()) -> bool:
        uow = _with_events(UnitOfWork(self.table, SOURCE), events)
        uow.put({"pk": f"REMINDER#{account_id}", "sk": valid_to.isoformat(), "type": "staff_reminder",
                 "at": audit.at.isoformat()}, condition="attribute_not_exists(pk)")
        uow.put(_audit_item(audit))
        try:
            uow.commit("reminded already")
        except Conflict:
            return False
        return True


def identity_adapters() -> dict[str, Any]:
    from ...adapters.aws import table

    identity = table("identity")
    import importlib

    from .grants import DynamoGrants

    # The login pages' sessions are the web toolkit's session store, over this context's own table.
    sessions = importlib.import_module("...entrypoints.web.adapters.sessions", __package__).SessionRepository
    return {"organisations": DynamoOrganisations(identity), "accounts": DynamoStaffAccounts(identity),
            "audit": DynamoAuditTrail(identity), "reminders": DynamoReminders(identity),
            "grants": DynamoGrants(identity), "sessions": sessions(identity)}
