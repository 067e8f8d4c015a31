"""provider_overview and provider_visit_list (``provider_pages``, issue 24): a provider with 20,000
visits in a month, against a moto server in its own process, measured in one run:

- ``provider_overview``: the coordinator's start page as it is served — ``GET
  /personal/oversikt?manad=…`` through the visits app in-process (chalice's test client: the
  section's session, the use case ``month_overview``, the rendering) ÷ the bare reads of what it
  shows: one Query of the month's kept summaries (``MONTHSUM#<provider>#<month>``, every client's,
  paged as the adapter pages) and one BatchGetItem per hundred clients of their decisions (the
  granted column). The page never reads the month's visits: its counts are the kept summaries'.
- ``provider_visit_list``: one page of the visit list, filtered to one client (the use case
  ``visits_page`` with ``limit`` 25, as the list page calls it, the views made) ÷ the bare reads
  of the items it shows: one Query of the client's month pointers bounded to the days shown and one
  BatchGetItem of those client-days.

The month is seeded before anything is timed, in the adapter's own item shapes
(``client_days.seed_items``: the client-days with their events, their pointers and the month's
summaries), by batch writes. Each window is taken ``BENCH_PROVIDER_REPEATS`` times (5), page and
bare alternated, medians kept; the page is checked to show what the bare reads return.
"""
from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bench._measure import alternated, profile_if

ROOT = Path(__file__).resolve().parent.parent
VISITS = int(os.environ.get("BENCH_PROVIDER_VISITS", "20000"))
CLIENTS = int(os.environ.get("BENCH_PROVIDER_CLIENTS", "400"))
REPEATS = int(os.environ.get("BENCH_PROVIDER_REPEATS", "5"))
LIMIT = 25


def _note(text: str) -> None:
    if os.environ.get("BENCH_PROVIDER_VERBOSE"):
        print(f"# {text}", file=sys.stderr, flush=True)


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        try:
            _run(port)
        finally:
            from services.visits.bootstrap import deps

            deps.cache_clear()


def _month(now: datetime) -> tuple[int, int]:
    """The month before the current one: whole, its lock date near."""
    first = now.date().replace(day=1) - timedelta(days=1)
    return first.year, first.month


def _days(provider: str, year: int, month: int):  # noqa: ANN202
    """``VISITS`` visits of ``CLIENTS`` clients over the month's days, each visit with its arrival and
    departure events; some approved, some open, some with a manual receipt or a pending deviation."""
    from services.visits.domain.days import ClientDay, DayKey
    from services.visits.domain.model import Deviation, StoredEvent, Visit
    from tests.support.people import new_pnr

    rng = random.Random(24)
    clients = [new_pnr(1930) for _ in range(CLIENTS)]
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    per_client = VISITS // CLIENTS
    days = []
    made = 0
    for c in clients:
        per_day: dict[int, int] = {}
        for k in range(per_client):
            per_day[1 + k % last] = per_day.get(1 + k % last, 0) + 1
        for d, count in sorted(per_day.items()):
            day = ClientDay(DayKey(provider, c, date(year, month, d)), ref=uuid.uuid4().hex[:12])
            for k in range(count):
                at = datetime(year, month, d, 6, tzinfo=timezone.utc) + timedelta(hours=3 * k)
                minutes = 20 + rng.randrange(40)
                roll = rng.random()
                status = "approved" if roll < 0.6 else "open" if roll < 0.62 else "registered"
                events = {}
                for kind, when in (("arrival", at), ("departure", at + timedelta(minutes=minutes))):
                    if kind == "departure" and status == "open":
                        continue
                    eid = str(uuid.UUID(int=rng.getrandbits(128)))
                    events[eid] = StoredEvent(event_id=eid, type=kind, provider_id=provider, client=c,
                                              device_time=when, receipt={"method": "nfc", "device_id": "TAG-1"},
                                              staff_id=f"staff-{rng.randrange(60)}", received_at=when)
                deviations = []
                if roll > 0.97:
                    deviations.append(Deviation(code="manual_receipt", by="system", at=at,
                                                reason="" if roll > 0.99 else "technical_fault",
                                                status="pending" if roll > 0.985 else "noted"))
                v = Visit(visit_id=day.new_visit_id(uuid.UUID(int=rng.getrandbits(128)).hex), provider_id=provider,
                          client=c, staff_id=next(iter(events.values())).staff_id, started_at=at,
                          ended_at=None if status == "open" else at + timedelta(minutes=minutes),
                          status=status, version=1, event_ids=list(events), insatser=["personlig_omsorg"],
                          receipt_methods=["nfc"], deviations=deviations)
                day.visits[v.visit_id] = v
                day.events.update(events)
                made += 1
            days.append(day)
    return clients, days, made


def _run(port: int) -> None:
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.adapters.aws import table
    from services.auth.principal import Principal, Role
    from services.visits.adapters.client_days import seed_items
    from services.visits.adapters.grants import decisions_key
    from services.visits.bootstrap import deps
    from services.visits.schemas import VisitQuery
    from services.visits.usecases.reading import visits_page
    from services.entrypoints.web.visits.section import visits_config
    from tests.support.stack import AppClient
    from tests.support.staff_login import staff_principal, visits_session

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    visits_table = table("visits")
    provider = f"prov-{uuid.uuid4().hex[:8]}"
    year, month = _month(datetime.now(timezone.utc))
    started = time.perf_counter()
    clients, days, made = _days(provider, year, month)
    items = seed_items(days)
    for c in clients:
        decision = {"decision_id": str(uuid.uuid4()), "client": c, "insats": "hemtjanst", "outcome": "granted",
                    "granted_minutes_per_month": 2400, "valid_from": "2000-01-01", "valid_to": None,
                    "decided_at": "2000-01-01T00:00:00+00:00"}
        items.append({**decisions_key(c), f"d_{decision['decision_id']}": json.dumps(decision)})

    def write(part: list[dict]) -> None:
        with visits_table.batch_writer() as batch:
            for item in part:
                batch.put_item(Item=item)
    with ThreadPoolExecutor(4) as pool:  # the moto server answers each connection in its own thread
        list(pool.map(write, [items[n::4] for n in range(4)]))
    seeded = time.perf_counter() - started
    _note(f"seeded {made} visits ({len(days)} client-days, {len(items)} items) in {seeded:.1f} s")

    app = AppClient(load_app("visits"), app_dir("visits"))
    who = staff_principal("provider_coordinator", provider_id=provider)
    cookie = {"Cookie": f"{visits_config().cookie_name}={visits_session(who)}"}
    ym = f"{year:04d}-{month:02d}"
    client_api = visits_table.meta.client  # the resource's client: Python values in and out, as the adapters read
    name = visits_table.name

    def overview_page() -> str:
        r = app.get(f"/personal/oversikt?manad={ym}", headers=cookie)
        assert r.status == 200, (r.status, r.body[:500])
        return r.body.decode()

    def overview_bare() -> tuple[int, int]:
        query = {"TableName": name, "KeyConditionExpression": "pk = :pk",
                 "ExpressionAttributeValues": {":pk": f"MONTHSUM#{provider}#{ym}"}}
        found = []
        while True:
            page = client_api.query(**query)
            found += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        shown = [i["sk"] for i in found]
        got = 0
        for n in range(0, len(shown), 100):
            keys = [{"pk": f"GRANTED#{c}", "sk": "DECISIONS"} for c in shown[n:n + 100]]
            pending = {name: {"Keys": keys, "ConsistentRead": True}}
            while pending:
                answer = client_api.batch_get_item(RequestItems=pending)
                got += len(answer["Responses"].get(name, []))
                pending = answer.get("UnprocessedKeys") or {}
        return len(found), got

    # the list: one client's month, the first page of 25
    chosen = clients[len(clients) // 2]
    lister = Principal(subject="c", role=Role.PROVIDER_COORDINATOR, user_id="c", provider_id=provider)
    asked = VisitQuery(month=ym, client=chosen, limit=LIMIT)

    def list_page() -> list:
        return visits_page(deps(), lister, asked)[0]

    first_page = list_page()
    shown_days = sorted({v.started_at.date() for v in first_page})
    lo, hi = f"{chosen}#{shown_days[0].isoformat()}", f"{chosen}#{shown_days[-1].isoformat()}"

    def list_bare() -> int:
        pointers = client_api.query(TableName=name, KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                                    ExpressionAttributeValues={":pk": f"MONTH#{provider}#{ym}", ":lo": lo,
                                                               ":hi": hi})["Items"]
        keys = [{"pk": p["day"], "sk": "DAY"} for p in pointers]
        answer = client_api.batch_get_item(RequestItems={name: {"Keys": keys, "ConsistentRead": True}})
        return len(answer["Responses"][name])

    # checked: the page shows what the bare reads return
    body = overview_page()
    summaries, decisions = overview_bare()
    assert summaries == CLIENTS and decisions == CLIENTS, (summaries, decisions)
    table_html = body.split('id="per-klient"', 1)[1]
    assert len(re.findall(r"klient=\d{12}", table_html)) == CLIENTS
    total = sum(int(n) for n in re.findall(r">(\d+) besök<span class=\"visually-hidden\"> registrerade", body))
    assert total == made, (total, made)
    assert len(first_page) == LIMIT and list_bare() == len(shown_days)

    profile_if("BENCH_PROVIDER_PROFILE", overview_page, list_page, lines=30)

    results = {}
    for label, page, bare in (("overview", overview_page, overview_bare), ("visit list", list_page, list_bare)):
        pages, bares = alternated(REPEATS, page, bare)
        results[label] = (statistics.median(pages), statistics.median(bares))
        _note(f"{label}: {results[label]}")
    print(f"# provider_pages: {made} visits of {CLIENTS} clients in {ym} stored ({len(days)} client-days, "
          f"batch writes in {seeded:.1f} s); medians of {REPEATS}, page vs the bare reads of what it shows:")
    p, b = results["overview"]
    print(f"#   overview (GET in-process, rendered; {CLIENTS} kept summaries + their decisions): "
          f"page {p * 1000:.1f} ms, bare {b * 1000:.1f} ms, ratio {p / b:.2f}")
    lp, lb = results["visit list"]
    print(f"#   visit list (visits_page, one client, limit {LIMIT}: {len(shown_days)} client-days): "
          f"use case {lp * 1000:.1f} ms, bare {lb * 1000:.1f} ms, ratio {lp / lb:.2f}")
    print(f"provider_overview: ratio={p / b:.2f}")
    print(f"provider_visit_list: ratio={lp / lb:.2f}")


if __name__ == "__main__":
    main()
