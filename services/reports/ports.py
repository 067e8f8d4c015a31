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
    def touch(self, touched: list[tuple[dict, int]], at: str) -> None:
        """Marks client-months changed at ``at``, each with its new result and the state version it was
        computed from (for the next nightly build)."""

    # the nightly build's side
    def touched_months(self) -> dict[str, str]: ...
    def touched_since(self, month: str, since: str) -> dict[str, dict]:
        """The results of the client-months touched after ``since``: per client, the highest version."""
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
