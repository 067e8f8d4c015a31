"""Operator commands of reports, an entrypoint like the app: it parses arguments and calls the use
cases with the bootstrap's deps (run against the stack ``AWS_ENDPOINT_URL`` points at, or AWS):

    python -m services.reports.cli rebuild 2026-10            # a full rebuild, with a progress bar
    python -m services.reports.cli rebuild 2026-10 --recompute  # every client-month's result again first
    python -m services.reports.cli load-synthetic 2026-10     # the synthetic month, then its report

The loader feeds the synthetic month's events to the reports consumer's use case (the same code as
the inbox, in large batches grouped by client), then rebuilds the month.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, time as clock_time
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, TextIO

from ..contracts.events import Envelope

if TYPE_CHECKING:
    from .ports import Progress, ReportsDeps


def progress_bar(out: TextIO = sys.stderr, label: str = "rebuild", width: int = 32):  # noqa: ANN201
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        filled = int(width * done / total) if total else width
        out.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                  f"{time.monotonic() - started:5.1f} s")
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def _client_of(envelope: Envelope) -> str:
    return str(envelope.payload.get("client", ""))


def load(deps: "ReportsDeps", events: Iterable[Envelope], *, batch_events: int = 3000,
         progress: "Progress | None" = None) -> int:
    """Feeds events to ``consume`` grouped by client (one read and write per client-month per batch).
    Returns how many messages failed (0 expected on a fresh table)."""
    from .usecases.consume import consume

    ordered = sorted(events, key=lambda e: (_client_of(e), e.occurred_at, e.event_id))
    groups = [list(g) for _, g in groupby(ordered, key=_client_of)]
    failed, batch, done = 0, [], 0
    for i, group in enumerate(groups):
        batch.extend(group)
        if len(batch) >= batch_events or i == len(groups) - 1:
            failed += len(consume(deps, [(e.event_id, e) for e in batch]))
            done += len(batch)
            batch = []
            if progress:
                progress(done, len(ordered))
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild = sub.add_parser("rebuild", help="rebuild a month's report from every client-month")
    rebuild.add_argument("month", help="YYYY-MM")
    rebuild.add_argument("--out", help="also write the report as JSON, CSV and SVG into this folder")
    rebuild.add_argument("--recompute", action="store_true",
                         help="recompute every client-month's result from its state first (after the rules change)")
    synthetic = sub.add_parser("load-synthetic", help="load the synthetic month and build its report")
    synthetic.add_argument("month", nargs="?", default="2026-10")
    synthetic.add_argument("--seed", type=int, default=2026)
    synthetic.add_argument("--clients", type=int, default=1000)
    synthetic.add_argument("--out", help="also write the report as JSON, CSV and SVG into this folder")
    args = parser.parse_args(argv)

    from .bootstrap import deps
    from .domain.client_month import parse_month
    from .ports import ReportsDeps
    from .usecases.rebuild import rebuild as rebuild_month, recompute

    year, month = parse_month(args.month)
    if args.command == "load-synthetic":
        from ..domain.calendar import STOCKHOLM
        from ..domain.granted import month_days
        from ..synthetic import month_events

        # As if it were the month's last evening: the month is the one its decisions open.
        evening = datetime.combine(month_days(year, month)[-1], clock_time(20), tzinfo=STOCKHOLM)
        loader = ReportsDeps(store=deps().store, clock=lambda: evening)
        events = list(month_events(args.seed, year=year, month=month, clients=args.clients))
        failed = load(loader, events, progress=progress_bar(label="load   "))
        if failed:
            print(f"{failed} events were not taken; run the command again (it is idempotent)", file=sys.stderr)
            return 1
    if getattr(args, "recompute", False):
        report = recompute(deps(), args.month, progress=progress_bar(label="recompute"))
    else:
        report = rebuild_month(deps(), args.month, progress=progress_bar())
    m = report["municipality"]
    print(f"{args.month}: {report['client_months']} client-months, {m['visits']} visits, "
          f"performed {m['performed_minutes'] // 60} h of granted {m['granted_minutes'] // 60} h "
          f"({m['share_performed']}); built {report['built_at']}")
    if args.out:
        for path in export(deps(), args.month, Path(args.out)):
            print(f"  {path.resolve().as_uri()}")
    print(f"  API: GET /reports/reports?month={args.month} (also /reports/csv and /reports/chart.svg) "
          "with an ordering_unit token from POST /dev/token")
    return 0


def export(deps: "ReportsDeps", month: str, folder: Path) -> list[Path]:
    """The month's report as the ordering unit reads it: JSON, CSV and the SVG chart."""
    import json

    from ..auth.principal import Principal, Role
    from .domain import render
    from .usecases.read import read_report

    operator = Principal(subject="operator", role=Role.ORDERING_UNIT, user_id="operator")
    report = read_report(deps, operator, month)
    folder.mkdir(parents=True, exist_ok=True)
    files = {folder / f"{month}.json": json.dumps(report, ensure_ascii=False, indent=1),
             folder / f"{month}.csv": render.to_csv(report), folder / f"{month}.svg": render.to_svg(report)}
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


if __name__ == "__main__":
    raise SystemExit(main())
