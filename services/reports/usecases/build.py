"""The nightly build: at 02:00 Stockholm (``domain/schedule``), once a night, each month changed
since its report is built from the totals the consumer keeps (one read); a month whose totals
missed a change is rebuilt in full instead (``rebuild``). Both give the same report."""
from __future__ import annotations

from datetime import datetime

from ..domain import schedule
from ..domain.fold import merge
from ..ports import ReportsDeps
from .rebuild import rebuild, store_report


def nightly(deps: ReportsDeps, fired_at: datetime | None = None) -> list[str]:
    """The scheduled build: only the firing at 02:00 Stockholm proceeds, once a night."""
    now = fired_at or deps.clock()
    if not schedule.is_nightly_run(now):
        return []
    night = schedule.night_of(now).isoformat()
    if not deps.store.claim_night(night):
        return []
    try:
        built = []
        for month, touched_at in sorted(deps.store.touched_months().items()):
            report = deps.store.report(month)
            if report is None or touched_at > (report.get("touched_until") or ""):
                build(deps, month)
                built.append(month)
        return built
    except Exception:
        deps.store.release_night(night)
        raise


def build(deps: ReportsDeps, month: str) -> dict:
    """The incremental build: the month's totals as the consumer keeps them (the client-months
    touched since the previous build were recomputed when their events came), made into the
    report. Totals marked as having missed a change give a full rebuild instead."""
    store, started = deps.store, deps.clock()
    accs = store.accumulators([(month, k) for k in range(store.acc_shards)])
    if any(a.dirty for a in accs.values()):
        return rebuild(deps, month, rebase=True)
    aggs: dict[str, dict] = {}
    versions: dict[str, int] = {}
    latest = ""
    for acc in accs.values():
        merge(aggs, acc.providers)
        versions.update(acc.versions)
        latest = max(latest, acc.latest)
    return store_report(store, month, aggs, versions, latest, started, "incremental")
