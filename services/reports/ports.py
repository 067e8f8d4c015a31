"""What the reports use cases need, as Protocols: one per aggregate (client-months, grants,
summaries, a month's totals, reports, nightly run-once records), which the one reports table holds
together (``ReportsStore``: the DynamoDB adapter ``adapters/dynamo.py``, and the unit tier's
in-memory fake in ``tests/support/fakes/reports.py``; each port's contract test in
``tests/integration/contracts/test_reports_<port>.py`` runs against both), and the clock.

Kept light: the bootstrap imports ``ReportsDeps`` from here; the domain types are for typing only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol

from ..clock import Clock, utc_now
from ..domain.ports import Sessions, TokenEndpoint

if TYPE_CHECKING:
    from .domain.client_month import ClientMonth
    from .domain.grants import Grants
    from .domain.totals import Accumulator


class ClientMonthRepository(Protocol):
    """Client-months: the consumer's state of one client in one month, and its result."""

    shards: int  # a month's client-months (and summaries) are read part by part

    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]:
        """Each (month, client) asked for; an empty client-month (version 0) where none is stored."""
    def save_client_month(self, cm: ClientMonth, result: dict) -> None:
        """Conditional on ``cm.version`` as read (Conflict otherwise); bumps it, and ``cm.result``
        becomes ``result`` (the old one ``cm.previous``)."""
    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]:
        """Every stored client-month of one part (``0 ≤ shard < shards``) of a month, in client order."""
    def client_month_states(self, month: str, clients: list[str]) -> dict[str, ClientMonth]:
        """The stored state (visits, absences, grants) of each client's client-month of ``month``,
        without its results (``result``/``previous`` None): what the follow-up's pages show of the
        visits behind a figure. A client without a stored client-month is left out."""


class GrantsRepository(Protocol):
    """A client's decisions as reports keep them, and the months the client has."""

    def grants(self, clients: list[str]) -> dict[str, Grants]:
        """Each client asked for; empty grants (version 0) where none are stored."""
    def save_grants(self, grants: Grants) -> None:
        """Conditional on ``grants.version`` as read (Conflict otherwise); bumps it. Months are kept
        in order."""


class SummaryRepository(Protocol):
    """Each client-month's latest result (its summary), each version's result for a while, and the
    months that changed: what the builds read."""

    shards: int

    def save_summaries(self, summaries: list[tuple[str, str, int, dict]], at: str) -> None:
        """Each client-month's (month, client, version, result) as the summary a build reads (never
        replacing a higher version) and as that version's record; marks the months changed at ``at``."""
    def summaries_in(self, month: str, shard: int) -> Iterator[tuple[str, int, dict]]:
        """(client, version, result) of every client-month of one part of a month, in client order."""
    def results_at(self, month: str, versions: dict[str, int]) -> dict[str, dict]:
        """The results of the given versions (what a report was built from); a version no longer
        kept gives the client's current summary, a client without one is left out."""
    def touched_months(self) -> dict[str, str]:
        """Month → when its client-months last changed."""


class TotalsRepository(Protocol):
    """A month's totals in ``acc_shards`` parts (``Accumulator``), kept up to date by the consumer."""

    acc_shards: int

    def accumulator_of(self, client: str) -> int:
        """The part (``0 ≤ part < acc_shards``) that holds the client's results."""
    def accumulators(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Accumulator]:
        """Each (month, part) asked for; an empty one (version 0) where none is stored."""
    def save_accumulator(self, acc: Accumulator) -> None:
        """Conditional on ``acc.version`` as read (Conflict otherwise); bumps it."""


class ReportRepository(Protocol):
    """A month's built report (one per month, the latest build)."""

    def save_report(self, report: dict) -> None: ...
    def report(self, month: str) -> dict | None: ...


class NightlyRuns(Protocol):
    """Run-once records of the nightly build."""

    def claim_night(self, night: str) -> bool:
        """True once per night (a run-once record)."""
    def release_night(self, night: str) -> None:
        """Gives the night back (its build failed: a retry may run it)."""


class ReportsStore(ClientMonthRepository, GrantsRepository, SummaryRepository, TotalsRepository,
                   ReportRepository, NightlyRuns, Protocol):
    """Every port above over the one reports table. Each versioned write (client-month, grants, a
    totals part) is conditional on the version it was read at and raises ``Conflict`` otherwise;
    nothing of the store's own errors leaves it but the domain's (``services.domain.errors``)."""


Progress = Callable[[int, int], None]




@dataclass
class ReportsDeps:
    store: ReportsStore
    clock: Clock = utc_now
    # The web section's (``/reports/personal``) sessions and, in tests, the login's token endpoint
    sessions: Sessions | None = None
    token_endpoint: TokenEndpoint | None = None
