"""The staff app's day and its events: what a staff member's phone is given (their provider's
clients, each with the tags and locks bound to them and the insatser preselected at departure,
and the member's own visits of the day) and what it may send (events for those clients only).

The provider's clients are the clients a tag or lock of the provider is bound to (the registry of
"Taggar och lås"): the visits service knows no other list of a provider's clients, and a client
visited by the provider's staff has a tag or lock. An event for anyone else is refused before it
reaches the ingest queue (the API's ``accept_events`` checks the caller and the provider; the app
also keeps the member to their provider's clients).

Cost: the provider's devices (one query), the clients' decisions (one batched read) and the
member's own month (``visits_of_staff``: a per-staff index, whatever the provider's size)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.calendar import stockholm_date
from ...domain.errors import FieldError, Forbidden
from ..domain.model import INSATSER, SUPERVISION, Visit
from ..schemas import Accepted, PostVisitEvents
from .guards import caller_user_id
from .ingest import accept_events

if TYPE_CHECKING:
    from ..ports import VisitsDeps

# Preselected at departure when no decision names an insats the app registers (only the umbrella
# home-care grant, ``hemtjanst``): the most common insats, which the staff member may change.
DEFAULT_INSATSER = ("personlig_omsorg",)


@dataclass(frozen=True)
class AppClient:
    client: str
    devices: list[tuple[str, str]]  # (device id, kind: "nfc" or "digital_lock")
    insatser: list[str]  # preselected at departure


@dataclass(frozen=True)
class StaffDay:
    staff_id: str
    provider_id: str
    day: date
    clients: list[AppClient]
    visits: list[Visit] = field(default_factory=list)  # the member's own of the day, in time order


def preselected(decisions: list[dict]) -> list[str]:
    """The insatser the client's granted decisions name that the app registers (not tillsyn, which
    is its own visit), in the app's order; the default when none does."""
    granted = {str(d.get("insats")) for d in decisions if d.get("outcome", "granted") == "granted"}
    named = [k for k in INSATSER if k in granted and k not in SUPERVISION and k != "tillfallig_vistelse"]
    return named or list(DEFAULT_INSATSER)


def provider_clients(deps: VisitsDeps, provider: str) -> dict[str, list[tuple[str, str]]]:
    """The provider's clients (those its bound tags and locks name), each with those devices."""
    clients: dict[str, list[tuple[str, str]]] = {}
    for d in deps.devices.devices_of(provider):
        if d.status == "bound" and d.client is not None and d.provider_id == provider:
            clients.setdefault(str(d.client), []).append((d.device_id, d.kind))
    return {c: sorted(devs) for c, devs in sorted(clients.items())}


def _provider(who: Principal) -> str:
    if not who.provider_id:
        raise Forbidden("the staff app is for a provider's staff")
    return who.provider_id


def staff_day(deps: VisitsDeps, who: Principal, now: datetime) -> StaffDay:
    """The caller's day: their provider's clients and their own visits of today (Stockholm)."""
    me, provider = caller_user_id(who), _provider(who)
    today = stockholm_date(now)
    clients = provider_clients(deps, provider)
    decisions = deps.lookups.lookups([], [], list(clients))[2] if clients else {}
    visits = [v for v in deps.days.visits_of_staff(provider, me, today.year, today.month)
              if stockholm_date(v.started_at) == today]
    return StaffDay(staff_id=me, provider_id=provider, day=today,
                    clients=[AppClient(c, devs, preselected(decisions.get(c, []))) for c, devs in clients.items()],
                    visits=sorted(visits, key=lambda v: v.started_at))


def app_events(deps: VisitsDeps, who: Principal, body: PostVisitEvents) -> Accepted:
    """The app's events, for the caller's provider's clients only (Forbidden naming each other
    client's event: nothing is queued), then as the API takes them (``accept_events``)."""
    provider = _provider(who)
    caller_user_id(who)
    clients = provider_clients(deps, provider)
    errors = [FieldError(f"events.{i}.client", "is not a client of your provider")
              for i, e in enumerate(body.events) if str(e.client) not in clients]
    if errors:
        raise Forbidden("only your provider's clients", errors=errors)
    return accept_events(deps, who, body)
