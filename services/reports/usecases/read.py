"""Reading a month's report: the ordering unit every provider; a provider's coordinator and
management only their own (Forbidden for another's); a case worker only the rows of their own
clients (those whose decisions name them as the case's case worker), without the providers' and the
municipality's totals. The rows, the CSV and the chart come from the results of the versions the
report was built from."""
from __future__ import annotations

from ...auth.principal import Principal
from ...domain.errors import NotFound
from ...domain.results import FileResult
from ..domain.rows import case_worker_of, rows_of, scope
from ..ports import ReportsDeps


def read_report(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None = None,
                with_rows: bool = True) -> dict:
    provider = scope(who, provider_id)
    case_worker = case_worker_of(who)
    report = deps.store.report(month)
    if report is None:
        raise NotFound(f"no report for {month} yet: reports are built every night at 02:00")
    providers = [p for p in report["providers"] if provider is None or p["provider_id"] == provider]
    out = {k: report[k] for k in ("month", "built_at", "data_until", "build")}
    # A case worker's follow-up is their own clients' rows; the totals hold everyone's clients.
    out["providers"] = providers if case_worker is None else []
    out["municipality"] = report["municipality"] if provider is None and case_worker is None else None
    out["rows"] = rows_of(deps.store.results_at(month, report.get("versions", {})), provider,
                          case_worker) if with_rows else []
    return out


def report_file(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None, kind: str) -> FileResult:
    """The same report as a CSV of its rows or an SVG chart of performed against granted time."""
    from ..domain import render

    report = read_report(deps, who, month, provider_id, with_rows=kind == "csv")
    suffix = f"-{provider_id}" if provider_id else ""
    if kind == "csv":
        return FileResult(f"uppfoljning-{month}{suffix}.csv", "text/csv; charset=utf-8", render.to_csv(report))
    return FileResult(f"uppfoljning-{month}{suffix}.svg", "image/svg+xml; charset=utf-8", render.to_svg(report))
