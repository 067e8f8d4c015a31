"""What the reports use cases need of a store (the DynamoDB adapter is ``store.py``; tests pass the
in-memory fake of ``tests/unit/reports/fakes.py``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from .domain import ClientMonth


@dataclass
class Grants:
    """A client's granted time: decision id → entries ([insats, minutes, from, to, provider]), and
    the months the client has a client-month in (which a new decision recomputes)."""

    client: str
    decisions: dict[str, list[list]] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def entries(self) -> list[list]:
        return [e for d in sorted(self.decisions) for e in self.decisions[d]]


@dataclass
class Accumulator:
    """One part of a month's totals, kept up to date by the consumer: per provider the sums and
    histograms (``fold``) of the results of its clients, and the version of each client-month whose
    result is in them. ``dirty``: a change could not be brought in exactly (the next build is a
    full rebuild, which sets the totals again)."""

    month: str
    shard: int
    providers: dict[str, dict] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    latest: str = ""  # the latest touched_at of the results in it
    dirty: bool = False
    version: int = 0  # the store's optimistic version


class ReportsStore(Protocol):
    shards: int  # a month's summaries are read part by part (the progress of a full rebuild)
    acc_shards: int  # a month's totals are kept in this many accumulators

    def accumulator_of(self, client: str) -> int: ...

    # the consumer's side
    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]: ...
    def grants(self, clients: list[str]) -> dict[str, Grants]: ...
    def save_client_month(self, cm: ClientMonth, result: dict) -> None:
        """Conditional on ``cm.version`` as read (Conflict otherwise); bumps it, and ``cm.result``
        becomes ``result`` (the old one ``cm.previous``)."""
    def save_grants(self, grants: Grants) -> None:
        """Conditional on ``grants.version`` as read (Conflict otherwise); bumps it."""
    def save_summaries(self, summaries: list[tuple[str, str, int, dict]], at: str) -> None:
        """Each client-month's (month, client, version, result) as the summary a build reads (never
        replacing a higher version) and as that version's record; marks the months changed at ``at``."""
    def accumulators(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Accumulator]: ...
    def save_accumulator(self, acc: Accumulator) -> None:
        """Conditional on ``acc.version`` as read (Conflict otherwise); bumps it."""

    # the builds' side
    def touched_months(self) -> dict[str, str]: ...
    def summaries_in(self, month: str, shard: int) -> Iterator[tuple[str, int, dict]]:
        """(client, version, result) of every client-month of one part of a month."""
    def results_at(self, month: str, versions: dict[str, int]) -> dict[str, dict]:
        """The results of the given versions (what a report was built from)."""
    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]: ...
    def save_report(self, report: dict) -> None: ...
    def report(self, month: str) -> dict | None: ...
    def claim_night(self, night: str) -> bool:
        """True once per night (a run-once record)."""
    def release_night(self, night: str) -> None:
        """Gives the night back (its build failed: a retry may run it)."""


Progress = Callable[[int, int], None]
