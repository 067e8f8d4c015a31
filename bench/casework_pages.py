"""casework_inbox_first_page and casework_inbox_filtered (``casework_pages``, issue 23), with 10,000
cases stored, against a moto server in its own process, measured in one run:

- ``casework_inbox_first_page``: the inbox's first page as a case worker sees it — ``GET
  /personal/inkorg`` through the e-services app in-process (chalice's test client: the section's
  session, the use case, its audit record, the rendering) ÷ the bare reads of the 25 rows it
  shows: per status partition of the inbox's index (``gsi2``) that holds some of them, one Query
  bounded to exactly those rows, and nothing else.
- ``casework_inbox_filtered``: two searches, their times added: status Ny + a category
  (``?status=new&category=…``) ÷ one Query of that status partition bounded to the rows shown with
  the same category filter; and a search by case number (``?q=2026-NNNNNN``) ÷ a GetItem of the
  case it shows (the page reads it by key too, through the case number's lookup item).

The cases are stored before anything is timed, in the case repository's own item shape
(``DynamoCaseRepository.items``), by batch writes. Each window is taken ``BENCH_CASEWORK_REPEATS``
times (3), page and bare alternated, the collector settled before each, medians kept; every page
is checked to show exactly the rows the bare reads return.

On moto a Query costs time in proportion to the whole table (it scans and sorts its in-memory
table per call), a GetItem does not: the absolute milliseconds are printed beside the ratios.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench._measure import alternated, profile_if

ROOT = Path(__file__).resolve().parent.parent
CASES = int(os.environ.get("BENCH_CASEWORK_CASES", "10000"))
REPEATS = int(os.environ.get("BENCH_CASEWORK_REPEATS", "3"))
STATUSES = (("submitted", 0.3), ("received", 0.2), ("in_progress", 0.3), ("decided", 0.15), ("closed", 0.05))
CATEGORIES = ("Hemtjänst", "Kontaktperson", "Ledsagarservice", "Boendestöd", "Korttidsvistelse")
FIRST = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Nils")
LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson")


def _note(text: str) -> None:
    if os.environ.get("BENCH_CASEWORK_VERBOSE"):
        print(f"# {text}", file=sys.stderr, flush=True)


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        _run(port)


def _cases(me: str) -> list:
    from services.eservices.domain.cases import Case, Intake
    from tests.support.people import new_pnr

    rng = random.Random(23)
    start = datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
    out = []
    for n in range(1, CASES + 1):
        at = start + timedelta(minutes=n * 47 + rng.randrange(40))
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        pnr = new_pnr()
        intake = None
        if status != "submitted":
            worker = me if rng.random() < 0.1 else f"hl-{rng.randrange(30)}"
            intake = Intake(intake_type="ansokan_sol", intake_type_label="Ansökan SoL", case_worker_id=worker,
                            case_worker_name="Handläggare", organisation="Testenhet", from_whom="den_enskilde",
                            at=at, by=f"case_worker:{worker}")
        first, last = rng.choice(FIRST), rng.choice(LAST)
        out.append(Case(case_id=str(uuid.UUID(int=rng.getrandbits(128))), case_number=f"2026-{n:06d}",
                        form_id="support-application", title="Ansökan om stöd", category=rng.choice(CATEGORIES),
                        owner=pnr, owner_name=f"{last}, {first}", submitted_by=pnr, submitted_at=at, status=status,
                        answers={"om_dig": {"first_name": first, "last_name": last}}, intake=intake))
    return out


def _run(port: int) -> None:
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.adapters.aws import table
    from services.adapters.dynamo import to_dynamo
    from services.eservices.adapters.cases import DynamoCaseRepository, case_key
    from services.eservices.bootstrap import deps
    from tests.support.stack import AppClient
    from tests.support.staff_login import staff_cookie_name, staff_principal, staff_session

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    who = staff_principal("case_worker")
    cases = _cases(who.user_id)
    repo = DynamoCaseRepository(table("eservices"))
    started = time.perf_counter()
    items = [to_dynamo(item) for case in cases for item in repo.items(case)]

    def write(part: list[dict]) -> None:
        with repo.table.batch_writer() as batch:
            for item in part:
                batch.put_item(Item=item)
    with ThreadPoolExecutor(4) as pool:  # the moto server answers each connection in its own thread
        list(pool.map(write, [items[n::4] for n in range(4)]))
    seeded = time.perf_counter() - started
    _note(f"seeded {CASES} in {seeded:.1f} s")
    es = AppClient(load_app("eservices"), app_dir("eservices"))
    cookie = {"Cookie": f"{staff_cookie_name()}={staff_session(deps().sessions, who)}"}
    query = table("eservices").query
    sk = {c.case_id: f"{c.submitted_at.isoformat()}#{c.case_id}" for c in cases}

    calls: list[str] = []
    if os.environ.get("BENCH_CASEWORK_VERBOSE"):
        def hook(model, params, **_):  # noqa: ANN001, ANN003
            calls.append(f"{model.name} {str(params.get('body'))[:300]}")
        for c in {table("eservices").meta.client, deps().sessions.table.meta.client}:
            c.meta.events.register("before-call.*.*", hook)

    def page(path: str) -> str:
        r = es.get(path, headers=cookie)
        assert r.status == 200, (path, r.status, r.body[:500])
        return r.body.decode()

    def shown(body: str) -> list[str]:
        return re.findall(r"\b2026-\d{6}\b", body.split("<tbody>", 1)[1].split("</tbody>", 1)[0])

    def bare_rows(rows: list, **filters) -> callable:  # noqa: ANN003
        """One Query per status partition, bounded to exactly ``rows`` of it."""
        by_status: dict[str, list] = {}
        for c in rows:
            by_status.setdefault(c.status, []).append(sk[c.case_id])

        def read() -> list[str]:
            got = []
            for status, keys in by_status.items():
                if len(keys) == 1:
                    cond, values = "gsi2pk = :pk AND gsi2sk = :sk", {":sk": keys[0]}
                else:
                    cond, values = "gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi", {":lo": min(keys), ":hi": max(keys)}
                got += query(IndexName="gsi2", KeyConditionExpression=cond, ScanIndexForward=False,
                             ExpressionAttributeValues={":pk": f"INBOX#{status}", **values, **filters.get("values", {})},
                             **filters.get("args", {}))["Items"]
            return [i["case_number"] for i in got]
        return read

    newest = sorted(cases, key=lambda c: c.submitted_at, reverse=True)
    first_rows = newest[:25]
    category = CATEGORIES[1]
    filtered_rows = [c for c in newest if c.status == "submitted" and category in c.category][:25]
    target = newest[len(newest) // 2]
    windows = {
        "first page": ("/personal/inkorg", first_rows, bare_rows(first_rows)),
        "status + category": (f"/personal/inkorg?status=new&category={category}", filtered_rows,
                              bare_rows(filtered_rows, values={":c": category},
                                        args={"FilterExpression": "contains(category, :c)"})),
        "case number": (f"/personal/inkorg?q={target.case_number}", [target],
                        lambda: [table("eservices").get_item(Key=case_key(target.case_id))["Item"]["case_number"]]),
    }
    results: dict[str, tuple[float, float]] = {}
    for label, (path, rows, bare) in windows.items():
        expected = [c.case_number for c in rows]
        calls.clear()
        got = shown(page(path))  # untimed: warm and checked
        assert got == expected, (label, got, expected)
        _note(f"{label}: {len(calls)} calls: " + "\n".join(calls))
        assert sorted(bare()) == sorted(expected), label
        profile_if("BENCH_CASEWORK_PROFILE", lambda: page(path), lines=35)
        pages, bares = alternated(REPEATS, lambda: page(path), bare)
        results[label] = (statistics.median(pages), statistics.median(bares))
        _note(f"{label}: {results[label]}")
    print(f"# casework_pages: {CASES} cases stored (batch writes in {seeded:.1f} s); medians of {REPEATS}, "
          "page (GET in-process, rendered) vs the bare reads of the rows it shows:")
    for label, (p, b) in results.items():
        print(f"#   {label}: page {p * 1000:.1f} ms, bare {b * 1000:.1f} ms, ratio {p / b:.2f}")
    p, b = results["first page"]
    print(f"casework_inbox_first_page: ratio={p / b:.2f}")
    p = results["status + category"][0] + results["case number"][0]
    b = results["status + category"][1] + results["case number"][1]
    print(f"casework_inbox_filtered: ratio={p / b:.2f}")


if __name__ == "__main__":
    main()
