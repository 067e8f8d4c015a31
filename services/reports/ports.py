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


class ReportsStore(Protocol):
    # the consumer's side
    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]: ...
    def grants(self, clients: list[str]) -> dict[str, Grants]: ...
    def save_client_month(self, cm: ClientMonth) -> None:
        """Conditional on ``cm.version`` as read (Conflict otherwise); bumps it."""
    def save_grants(self, grants: Grants) -> None:
        """Conditional on ``grants.version`` as read (Conflict otherwise); bumps it."""
    def save_results(self, results: list[tuple[dict, int]]) -> None:
        """Each result with the client-month version it was computed from; an older never replaces a newer."""
    def touch(self, touched: list[tuple[str, str]], at: str) -> None:
        """Marks (month, client) as changed at ``at`` (for the next nightly build)."""

    # the nightly build's side
    def touched_months(self) -> dict[str, str]: ...
    def touched_since(self, month: str, since: str) -> set[str]: ...
    def results(self, month: str, clients: list[str]) -> dict[str, dict]: ...
    shards: int  # a month's client-months are read part by part (the progress of a full rebuild)

    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]: ...
    def published(self, month: str) -> dict[str, dict]: ...
    def publish(self, month: str, results: dict[str, dict], changed: set[str] | None = None) -> None:
        """Stores the results a report was built from: all, or the parts holding ``changed`` clients."""
    def save_report(self, report: dict) -> None: ...
    def report(self, month: str) -> dict | None: ...
    def claim_night(self, night: str) -> bool:
        """True once per night (a run-once record)."""
    def release_night(self, night: str) -> None:
        """Gives the night back (its build failed: a retry may run it)."""


Progress = Callable[[int, int], None]
