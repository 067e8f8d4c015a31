"""The synthetic month: a mid-size municipality's home care over one calendar month.

Defaults: 1,000 clients (70 % aged 65 or more), 4 providers (the municipality's own and three
LOV providers), about 90,000 visits. Shares (``Shares``) follow what follow-up in Swedish home
care reports as usual: some 8 % of visits double-staffed, 3 % with a manual receipt, 1.5 %
post-registered, 2 % with adjusted times, 6 % of clients with an unplanned absence, a tenth of the
clients performed beyond their granted time (part of it approved), a few visits with no decision
behind them. Every figure comes from ``random.Random(seed)``: the same seed gives the same events,
ids and instants.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from ..contracts.events import (AbsenceRegistered, DecisionPublishedV2, Envelope, GrantedTime, VisitChangedV2,
                                VisitContent, VisitDeviation, split_minutes)
from ..domain.calendar import STOCKHOLM

PROVIDERS = (("prov-kommunal", 0.40), ("prov-omsorg-ab", 0.25), ("prov-hemtjanst-syd", 0.20),
             ("prov-vardnara", 0.15))
NAMESPACE = uuid.UUID("9f1c2d3e-4b5a-4c6d-8e7f-000000000004")

# Daily rounds: (local time, insatser, minutes range). Night rounds fall outside 07–22.
ROUNDS = (
    (time(7, 30), ("morgonhjalp", "personlig_omsorg"), (25, 50)),
    (time(12, 0), ("matdistribution",), (5, 15)),
    (time(13, 0), ("personlig_omsorg",), (15, 35)),
    (time(16, 30), ("service",), (20, 45)),
    (time(19, 30), ("kvallshjalp", "personlig_omsorg"), (20, 40)),
    (time(22, 30), ("tillsyn_vard_omsorg",), (5, 15)),
    (time(10, 0), ("dusch",), (30, 50)),
    (time(2, 30), ("tillsyn_vard_omsorg",), (5, 10)),
)
# Need profiles: (share of clients, rounds a day, weekly extras); ~2.8 rounds a day on average.
PROFILES = ((0.18, 0, 2), (0.27, 1, 1), (0.33, 3, 1), (0.22, 6, 1))


@dataclass(frozen=True)
class Shares:
    double_staffing: float = 0.08
    manual_receipt: float = 0.03
    post_registration: float = 0.015
    adjusted_time: float = 0.02
    unplanned: float = 0.02  # safety-alarm call-outs
    absence_clients: float = 0.06
    over_granted_clients: float = 0.10
    over_granted_approved: float = 0.5
    no_decision_clients: float = 0.01
    approved: float = 0.85
    earlier_version: float = 0.05  # visits whose earlier version is published too (redelivery, order)
    aged_65_plus: float = 0.70


@dataclass(frozen=True)
class Client:
    pnr: str
    provider: str
    rounds: tuple[int, ...]  # indexes into ROUNDS, every day
    weekly: tuple[int, ...]  # indexes into ROUNDS, once a week
    team: tuple[str, ...]  # the staff who visit, most often the first ones
    decided: bool
    over_granted: bool
    social_psychiatry: bool


@dataclass
class Municipality:
    year: int
    month: int
    clients: list[Client] = field(default_factory=list)
    staff: dict[str, list[str]] = field(default_factory=dict)

    @property
    def providers(self) -> list[str]:
        return [p for p, _ in PROVIDERS]


def _pnr(rng: random.Random, born: date, serial: int) -> str:
    nine = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}{serial % 1000:03d}"
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{born.year}{born.month:02d}{born.day:02d}{serial % 1000:03d}{(10 - total % 10) % 10}"


def _provider(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for name, share in PROVIDERS:
        acc += share
        if x < acc:
            return name
    return PROVIDERS[-1][0]


def municipality(seed: int = 2026, *, year: int = 2026, month: int = 10, clients: int = 1000,
                 shares: Shares = Shares()) -> Municipality:
    rng = random.Random(seed)
    m = Municipality(year, month)
    for provider, weight in PROVIDERS:
        m.staff[provider] = [f"{provider}-s{n:03d}" for n in range(max(8, int(clients * weight * 0.45)))]
    first = date(year, month, 1)
    seen: set[str] = set()
    for n in range(clients):
        old = rng.random() < shares.aged_65_plus
        age = rng.randint(65, 101) if old else rng.randint(20, 64)
        while True:
            born = date(first.year - age - 1, 1, 1) + timedelta(days=rng.randint(0, 364))
            pnr = _pnr(rng, born, rng.randint(0, 999))
            if pnr not in seen:
                seen.add(pnr)
                break
        provider = _provider(rng)
        share = rng.random()
        acc, profile = 0.0, PROFILES[-1]
        for p in PROFILES:
            acc += p[0]
            if share < acc:
                profile = p
                break
        _, daily, weekly = profile
        rounds = tuple(range(daily))
        if daily >= 6 and rng.random() < 0.5:
            rounds = (*rounds, 7)  # a night round too
        extras = tuple(sorted(rng.sample([2, 3, 6], weekly))) if weekly else ()
        pool = m.staff[provider]
        team_size = rng.choice((4, 6, 8, 10, 12, 14, 16, 18, 22, 26))
        team = tuple(rng.sample(pool, min(team_size, len(pool))))
        m.clients.append(Client(pnr=pnr, provider=provider, rounds=rounds, weekly=extras, team=team,
                                decided=rng.random() >= shares.no_decision_clients,
                                over_granted=rng.random() < shares.over_granted_clients,
                                social_psychiatry=not old and rng.random() < 0.3))
    return m


class _Ids:
    def __init__(self, seed: int) -> None:
        self.seed, self.n = seed, 0

    def __call__(self, kind: str) -> str:
        self.n += 1
        return str(uuid.uuid5(NAMESPACE, f"{self.seed}:{kind}:{self.n}"))


def month_events(seed: int = 2026, *, year: int = 2026, month: int = 10, clients: int = 1000,
                 shares: Shares = Shares()) -> Iterator[Envelope]:
    """Every event of the month, in the order they were published (by ``occurred_at``)."""
    m = municipality(seed, year=year, month=month, clients=clients, shares=shares)
    rng = random.Random(seed * 7919 + 1)
    ids = _Ids(seed)
    first = date(year, month, 1)
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
    end_of_month = datetime.combine(last, time(23, 0), tzinfo=STOCKHOLM)
    out: list[Envelope] = []

    for c in m.clients:
        absent: set[date] = set()
        if rng.random() < shares.absence_clients:
            start = first + timedelta(days=rng.randint(0, last.day - 3))
            days = rng.randint(2, 12)
            ends = min(last, start + timedelta(days=days - 1))
            kind = rng.choice(("hospital", "hospital", "short_term_stay", "other"))
            learned = datetime.combine(start, time(rng.randint(7, 20)), tzinfo=STOCKHOLM)
            announced = (learned - timedelta(days=rng.randint(2, 6))) if kind == "short_term_stay" and rng.random() < 0.5 \
                else None
            absence = AbsenceRegistered(absence_id=ids("absence"), client=c.pnr, provider_id=c.provider, kind=kind,
                                        starts_on=start, ends_on=ends, learned_at=announced or learned,
                                        announced_at=announced)
            out.append(absence.envelope("visits", event_id=ids("event"), occurred_at=learned + timedelta(hours=1)))
            absent = {start + timedelta(days=i) for i in range((ends - start).days + 1)}

        visits: list[tuple[VisitContent, str]] = []
        planned: dict[str, int] = {}
        for offset in range(last.day):
            day = first + timedelta(days=offset)
            if day in absent:
                continue
            todays = list(c.rounds) + [r for r in c.weekly if day.weekday() == r % 7]
            for r in todays:
                at, insatser, (lo, hi) = ROUNDS[r]
                minutes = rng.randint(lo, hi)
                start = datetime.combine(day, at, tzinfo=STOCKHOLM) + timedelta(minutes=rng.randint(-20, 20))
                double = r in (0, 4, 6) and len(c.rounds) >= 3 and rng.random() < shares.double_staffing * 2.2
                for name in insatser:  # granted for two when two staff come
                    planned[name] = planned.get(name, 0) + (minutes // len(insatser)) * (2 if double else 1)
                if c.over_granted:
                    minutes = int(minutes * rng.uniform(1.15, 1.4))
                staff = _pick(rng, c.team)
                partner = _pick(rng, [s for s in c.team if s != staff] or [staff]) if double else None
                unplanned = rng.random() < shares.unplanned
                for who in ([staff, partner] if double else [staff]):
                    visits.append((_visit(rng, shares, who, start, minutes, insatser, double, unplanned,
                                          r in (5, 7)), ids("visit")))
        # a double-staffed pair names its partner
        pairs: dict[datetime, list[int]] = {}
        for i, (v, _) in enumerate(visits):
            if v.double_staffing:
                pairs.setdefault(v.started_at, []).append(i)
        for members in pairs.values():
            if len(members) == 2:
                a, b = members
                va, ida = visits[a]
                vb, idb = visits[b]
                visits[a] = (va.model_copy(update={"partner_visit_id": idb}), ida)
                visits[b] = (vb.model_copy(update={"partner_visit_id": ida}), idb)

        performed = sum(v.minutes for v, _ in visits)
        granted_total = 0
        if c.decided:
            lines = [GrantedTime(insats=name, minutes_per_month=int(mins * rng.uniform(1.0, 1.12)))
                     for name, mins in sorted(planned.items()) if mins]
            granted_total = sum(g.minutes_per_month for g in lines)
            decided_at = datetime.combine(first - timedelta(days=rng.randint(10, 400)), time(10),
                                          tzinfo=STOCKHOLM)
            decision = DecisionPublishedV2(
                decision_id=ids("decision"), case_id=ids("case"), case_number=f"{decided_at.year}-{ids.n:06d}",
                client=c.pnr, insats="hemtjanst", law="SoL", outcome="granted",
                granted_minutes_per_month=granted_total, valid_from=decided_at.date(), valid_to=None,
                decided_at=decided_at, granted=lines, provider_id=c.provider, social_psychiatry=c.social_psychiatry)
            out.append(decision.envelope("eservices", event_id=ids("event"), occurred_at=decided_at))
        running = 0
        for v, visit_id in sorted(visits, key=lambda x: (x[0].started_at, x[1])):
            running += v.minutes
            if c.decided and running > granted_total:
                status = "approved" if rng.random() < shares.over_granted_approved else "pending"
                v = v.model_copy(update={"deviations": [*v.deviations,
                                                        VisitDeviation(code="over_granted_time", status=status)]})
            _publish(out, rng, shares, ids, c, visit_id, v, end_of_month)
    out.sort(key=lambda e: (e.occurred_at, e.event_id))
    yield from out


def _pick(rng: random.Random, team: tuple[str, ...] | list[str]) -> str:
    # The first staff of a team come most often: a geometric-like preference.
    weights = [1.0 / (1 + i * 0.6) for i in range(len(team))]
    return rng.choices(list(team), weights=weights, k=1)[0]


def _visit(rng: random.Random, shares: Shares, staff: str, start: datetime, minutes: int,
           insatser: tuple[str, ...], double: bool, unplanned: bool, supervision: bool) -> VisitContent:
    deviations: list[VisitDeviation] = []
    receipt = "digital_lock" if rng.random() < 0.7 else "nfc"
    source, edited = "events", False
    roll = rng.random()
    if roll < shares.post_registration:
        source, receipt = "post_registration", "post_registration"
        deviations.append(VisitDeviation(code="post_registration"))
    elif roll < shares.post_registration + shares.manual_receipt:
        receipt = "manual"
        deviations.append(VisitDeviation(code="manual_receipt"))
    elif roll < shares.post_registration + shares.manual_receipt + shares.adjusted_time:
        edited = True
        minutes += rng.choice((-10, -5, 5, 10, 15))
        deviations.append(VisitDeviation(code="adjusted_time"))
    minutes = max(1, minutes)
    start = start.astimezone(timezone.utc)
    names = list(insatser)
    return VisitContent(staff_id=staff, started_at=start, ended_at=start + timedelta(minutes=minutes),
                        minutes=minutes, insatser=split_minutes(minutes, names), double_staffing=double,
                        receipt_methods=[receipt], supervision=supervision, unplanned=unplanned,
                        status="registered", source=source, edited=edited, deviations=deviations)


def _publish(out: list[Envelope], rng: random.Random, shares: Shares, ids: _Ids, c: Client, visit_id: str,
             v: VisitContent, end_of_month: datetime) -> None:
    local = v.started_at.astimezone(STOCKHOLM)
    registered_at = (v.ended_at or v.started_at) + timedelta(minutes=1)
    version = 1
    if rng.random() < shares.earlier_version:  # an earlier version: created while still open
        early = v.model_copy(update={"ended_at": None, "minutes": 0, "insatser": split_minutes(0, [i.insats for i in v.insatser]),
                                     "status": "open"})
        out.append(VisitChangedV2(visit_id=visit_id, client=c.pnr, provider_id=c.provider, year=local.year,
                                  month=local.month, visit_version=1, change="created", visit=early)
                   .envelope("visits", event_id=ids("event"), occurred_at=v.started_at + timedelta(seconds=5)))
        version = 2
    approved = rng.random() < shares.approved
    final = v.model_copy(update={"status": "approved"}) if approved else v
    at = min(end_of_month, registered_at + timedelta(days=rng.randint(0, 3))) if approved else registered_at
    out.append(VisitChangedV2(visit_id=visit_id, client=c.pnr, provider_id=c.provider, year=local.year,
                              month=local.month, visit_version=version + (1 if approved else 0),
                              change="approved" if approved else "created", visit=final)
               .envelope("visits", event_id=ids("event"), occurred_at=max(at, registered_at)))
