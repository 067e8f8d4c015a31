"""What the reports use cases need, as Protocols: the store of client-months, grants, summaries,
month totals, reports and nightly run-once records (the DynamoDB adapter is ``adapters/dynamo.py``;
the unit tier passes the in-memory fake of ``tests/support/fakes/reports.py``; both are held to the
same contract by ``tests/integration/contracts/test_reports_store.py``), and the clock.

Kept light: the bootstrap imports ``ReportsDeps`` from here; the domain types are for typing only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

from ..clock import Clock, utc_now

if TYPE_CHECKING:
    from .domain.client_month import ClientMonth
    from .domain.grants import Grants
    from .domain.totals import Accumulator


class ReportsStore(Protocol):
    """Every write of a versioned item (client-month, grants, a totals part) is conditional on the
    version it was read at and raises ``Conflict`` otherwise; nothing else of the store's errors
    leaves it but the domain's (``services.domain.errors``)."""

    shards: int  # a month's summaries are read part by part (the progress of a full rebuild)
    acc_shards: int  # a month's totals are kept in this many accumulators

    def accumulator_of(self, client: str) -> int: ...

    # the consumer's side
    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]:
        """Each (month, client) asked for; an empty client-month (version 0) where none is stored."""
    def grants(self, clients: list[str]) -> dict[str, Grants]:
        """Each client asked for; empty grants (version 0) where none are stored."""
    def save_client_month(self, cm: ClientMonth, result: dict) -> None:
        """Conditional on ``cm.version`` as read (Conflict otherwise); bumps it, and ``cm.result``
        becomes ``result`` (the old one ``cm.previous``)."""
    def save_grants(self, grants: Grants) -> None:
        """Conditional on ``grants.version`` as read (Conflict otherwise); bumps it."""
    def save_summaries(self, summaries: list[tuple[str, str, int, dict]], at: str) -> None:
        """Each client-month's (month, client, version, result) as the summary a build reads (never
        replacing a higher version) and as that version's record; marks the months changed at ``at``."""
    def accumulators(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Accumulator]:
        """Each (month, part) asked for; an empty one (version 0) where none is stored."""
    def save_accumulator(self, acc: Accumulator) -> None:
        """Conditional on ``acc.version`` as read (Conflict otherwise); bumps it."""

    # the builds' side
    def touched_months(self) -> dict[str, str]:
        """Month → when its client-months last changed."""
    def summaries_in(self, month: str, shard: int) -> Iterator[tuple[str, int, dict]]:
        """(client, version, result) of every client-month of one part of a month, in client order."""
    def results_at(self, month: str, versions: dict[str, int]) -> dict[str, dict]:
        """The results of the given versions (what a report was built from)."""
    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]:
        """Every stored client-month of one part of a month, in client order."""
    def save_report(self, report: dict) -> None: ...
    def report(self, month: str) -> dict | None: ...
    def claim_night(self, night: str) -> bool:
        """True once per night (a run-once record)."""
    def release_night(self, night: str) -> None:
        """Gives the night back (its build failed: a retry may run it)."""


Progress = Callable[[int, int], None]


@dataclass
class ReportsDeps:
    store: ReportsStore
    clock: Clock = utc_now
