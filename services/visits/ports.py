"""What the use cases of visits depend on: one repository per aggregate (client-days, devices, the
staff registry, absences, grants), the batched read the processor starts a batch with, the ingest
queue and the clock. ``bootstrap.py`` wires the DynamoDB adapters (``adapters/``); the unit tier
passes the in-memory fakes (``tests/support/fakes/visits.py``), which one contract test per port
(``tests/integration/contracts/test_visits_*.py``) holds to the adapters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from ..clock import Clock, utc_now
from ..domain.ports import Sessions, TokenEndpoint
from ..domain.errors import Unavailable
from .domain import rules

if TYPE_CHECKING:
    from ..contracts.events import Event
    from .domain.days import ClientDay, DayKey
    from .domain.model import Absence, Device, RejectedEvent, Visit
    from .domain.summaries import ClientMonthSummary

# A month marked as waiting for a decision: (client, provider, (year, month))
WaitingMark = tuple[str, str, tuple[int, int]]


class ClientDays(Protocol):
    """Client-days (events, visits, rejected events: one versioned record each), what points at
    them (a visit's id, a provider's month, a provider's rejected events) and the events the
    processor could not file under a day (``unprocessable``)."""

    def load_day(self, key: DayKey) -> ClientDay: ...
    def load_days(self, keys: Iterable[DayKey]) -> dict[DayKey, ClientDay]: ...
    def days_minutes(self, keys: Iterable[DayKey]) -> dict[DayKey, int]: ...

    def save_day(self, day: ClientDay, events: list[Event], now: datetime) -> bool:
        """Written with ``events`` if nobody wrote it since it was read (False: someone did); its
        month's summary changes by the day's new counts less ``day.counted``, in the same write."""

    def save_days(self, writes: list[tuple[ClientDay, list[Event]]], now: datetime) -> list[bool]: ...

    def index_days(self, changes: Iterable[tuple[ClientDay, ClientDay]],
                   waiting: Iterable[WaitingMark] = ()) -> None:
        """What points at each (stored, new) client-day, written before it; and the months marked as
        waiting for a decision (``Grants.waiting_months``), in the same batch."""

    def month_summaries(self, provider: str, year: int, month: int) -> list[ClientMonthSummary]:
        """The kept summaries of the provider's month (``domain.summaries``), one per client that has
        had a visit, in client order; never read from the month's visits."""

    def point_visit(self, visit_id: str, key: DayKey) -> None: ...
    def get_visit(self, visit_id: str) -> Visit: ...
    def visits_page(self, provider: str, year: int, month: int, client: str | None = None, *, limit: int,
                    cursor: dict[str, Any] | None = None) -> tuple[list[Visit], dict[str, Any] | None]: ...
    def visits_of_month(self, provider: str, year: int, month: int, client: str | None = None) -> list[Visit]: ...

    def visits_of_staff(self, provider: str, staff: str, year: int, month: int) -> list[Visit]:
        """One staff member's visits of a month, in time order, from a per-staff index of the days
        (never the provider's month): the cost is that member's days, whatever the provider's size."""
    def rejected_page(self, provider: str, *, limit: int, cursor: dict[str, Any] | None = None
                      ) -> tuple[list[RejectedEvent], dict[str, Any] | None]: ...
    def get_rejected(self, provider: str, event_id: str) -> tuple[RejectedEvent, DayKey | None]: ...
    def add_unprocessable(self, r: RejectedEvent) -> bool: ...
    def replace_unprocessable(self, old: RejectedEvent, new: RejectedEvent) -> None: ...


class Devices(Protocol):
    """NFC tags and digital locks, and each provider's count of active ones (the tag limit)."""

    def get_device(self, device_id: str) -> Device | None: ...
    def devices_of(self, provider: str) -> list[Device]: ...
    def put_device(self, d: Device) -> None: ...
    def bind_device(self, bound: Device) -> None: ...
    def active_tags(self, provider: str) -> tuple[int, bool]: ...
    def order_devices(self, provider: str, devices: list[Device], seen: tuple[int, bool]) -> None: ...
    def retire_device(self, old: Device, retired: Device) -> None: ...


class StaffRegistry(Protocol):
    def is_staff(self, provider: str, user_id: str) -> bool: ...
    def add_staff(self, provider: str, user_id: str) -> None: ...
    def remove_staff(self, provider: str, user_id: str) -> bool: ...
    def staff_of(self, provider: str) -> list[str]: ...


class Absences(Protocol):
    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        """The absence, with its ``absence.registered`` in the same write."""

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]: ...

    def end_absence(self, old: Absence, ended: Absence, event: Event, now: datetime) -> None:
        """The ended absence (its next revision), with its ``absence.registered`` in the same write,
        if nobody changed it since ``old`` was read (Conflict otherwise)."""


class Grants(Protocol):
    """The projection of published decisions, and the months whose visits wait for one."""

    def put_granted(self, decision: dict[str, Any]) -> None: ...
    def decisions_of(self, client: str) -> list[dict[str, Any]]: ...
    def waiting_months(self, client: str) -> list[tuple[str, int, int]]: ...
    def put_waiting(self, marks: Iterable[WaitingMark]) -> None: ...
    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None: ...

    def clients_of_case_worker(self, case_worker: str) -> list[str]:
        """The clients whose published decisions name ``case_worker`` as the case's case worker
        (``decision.published`` v2 ``case_worker_id``), once each, sorted."""


class IngestLookups(Protocol):
    """What a batch of events needs, read at once (one batched read across the aggregates)."""

    def lookups(self, devices: Iterable[str], staff: Iterable[tuple[str, str]], clients: Iterable[str],
                days: Iterable[DayKey] = ()) -> tuple[dict[str, Device], set[tuple[str, str]],
                                                      dict[str, list[dict[str, Any]]], dict[DayKey, ClientDay]]: ...




class SendMessages(Protocol):
    def __call__(self, queue: str, bodies: list[dict[str, Any]], *, ids: list[str] | None = None) -> list[str]:
        """Sends the bodies to the queue; returns the ids that failed."""


@dataclass
class VisitsDeps:
    """What the use cases of visits are given."""

    days: ClientDays
    devices: Devices
    staff: StaffRegistry
    absences: Absences
    grants: Grants
    lookups: IngestLookups
    send: SendMessages
    clock: Clock = utc_now
    clock_skew: timedelta = rules.CLOCK_SKEW
    long_visit_minutes: int = rules.LONG_VISIT_MINUTES
    tag_limit: int = rules.TAG_LIMIT
    # Whose rules (billing's rule packs, ``BILLING_MUNICIPALITY`` as billing's own setting) an absence's
    # compensation and the month's preliminary invoice basis are shown with
    municipality: str = "haninge"
    # What the store raises when it fails (worth a redelivery, never an event's fault): the
    # adapters name theirs, the use cases only re-raise them
    store_errors: tuple[type[Exception], ...] = (Unavailable,)
    # The web section's (``/visits/personal``) sessions and, in tests, the login's token endpoint
    sessions: Sessions | None = None
    token_endpoint: TokenEndpoint | None = None
