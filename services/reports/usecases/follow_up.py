"""The follow-up's reads beyond a month's report: the visits behind a figure and one visit, from
reports' own client-months (never the visits service's table); twelve months' trend per provider
from the month reports already built; and the early warnings (``domain/warnings``).

Who may read what, as ``read_report``: the ordering unit and finance every provider; a provider's
people only their own (the web section refuses them before this); a case worker only their own
clients (those whose decisions name them), and no provider's totals (no trend, no provider warnings).

A client is named by its place among the clients of the month's build (``client_no``, as the
report's rows name it), never by personnummer."""
from __future__ import annotations

from datetime import date

from ...auth.principal import Principal
from ...domain.errors import NotFound
from ...domain.personnummer import mask
from ..domain import warnings as rules
from ..domain.behind import EXTRA_KINDS, KINDS, NOT_VISITS, view, visits_behind
from ..domain.client_month import shift_month
from ..domain.rows import case_worker_of, readable_clients, scope
from ..ports import ReportsDeps

TREND_MONTHS = 12


def _clients(deps: ReportsDeps, who: Principal, month: str) -> tuple[dict, list[tuple[int, str, dict]]]:
    """The month's report and the clients ``who`` may see: (client_no, client, result)."""
    report = deps.store.report(month)
    if report is None:
        raise NotFound(f"no report for {month} yet")
    published = deps.store.results_at(month, report.get("versions", {}))
    return report, list(readable_clients(published, case_worker_of(who)))


def figure_visits(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None = None,
                  client_no: int | None = None, kind: str | None = None) -> dict:
    """The visits behind a figure: a provider's (``provider_id``), a client's (``client_no``), of a
    kind (a deviation, ``unapproved``, ``double_staffed``) or all; NotFound when the reader may see
    none of it (another's client or provider: never an empty list by accident)."""
    if kind is not None and kind not in KINDS:
        raise NotFound("no such kind of figure")
    provider = scope(who, provider_id)
    report, clients = _clients(deps, who, month)
    chosen = []
    for n, client, result in clients:
        if client_no is not None and n != client_no:
            continue
        parts = [p for p in result["parts"] if provider is None or p["provider"] == provider]
        if not parts:
            continue
        if kind is None or kind in EXTRA_KINDS or any(p["deviations"].get(kind) for p in parts):
            chosen.append((n, client))
    if (client_no is not None or provider_id is not None) and not chosen and not _has(clients, client_no, provider):
        raise NotFound("nothing of the report behind it")
    states = deps.store.client_month_states(month, [c for _, c in chosen]) if kind not in NOT_VISITS else {}
    found = []
    for n, client in chosen:
        cm = states.get(client)
        if cm is None:
            continue
        for v in visits_behind(cm, provider, kind):
            found.append({**v, "client": mask(client), "client_no": n})
    found.sort(key=lambda v: (v["start"], v["client_no"], v["id"]))
    return {"month": month, "built_at": report["built_at"], "provider": provider, "kind": kind,
            "client_no": client_no, "client": next((mask(c) for n, c in chosen if n == client_no), None),
            "visits": found}


def _has(clients: list[tuple[int, str, dict]], client_no: int | None, provider: str | None) -> bool:
    return any((client_no is None or n == client_no) and (provider is None or any(
        p["provider"] == provider for p in result["parts"])) for n, _, result in clients)


def one_visit(deps: ReportsDeps, who: Principal, month: str, client_no: int, visit_id: str) -> dict:
    """What reports know of one visit of a client the reader may see (NotFound otherwise)."""
    report, clients = _clients(deps, who, month)
    client = next((c for n, c, _ in clients if n == client_no), None)
    if client is None:
        raise NotFound("no such client")
    cm = deps.store.client_month_states(month, [client]).get(client)
    entry = cm.visits.get(visit_id) if cm is not None else None
    if entry is None or entry[3] is None:
        raise NotFound("no such visit")
    provider = scope(who, None)
    if provider is not None and entry[2] != provider:
        raise NotFound("no such visit")
    return {"month": month, "built_at": report["built_at"], "client": mask(client), "client_no": client_no,
            "visit": view(visit_id, entry)}


def trend(deps: ReportsDeps, who: Principal, month: str, months: int = TREND_MONTHS) -> dict:
    """Per provider, the last ``months`` months up to ``month`` from each month's report (read, never
    rebuilt): a case worker gets none (providers' totals hold every client)."""
    wanted = [shift_month(month, -k) for k in range(months - 1, -1, -1)]
    provider = scope(who, None)
    if case_worker_of(who) is not None:
        return {"months": wanted, "providers": {}, "built": {}}
    per: dict[str, dict[str, dict]] = {}
    built: dict[str, str] = {}
    for m in wanted:
        report = deps.store.report(m)
        if report is None:
            continue
        built[m] = report["built_at"]
        for p in report["providers"]:
            if provider is None or p["provider_id"] == provider:
                per.setdefault(p["provider_id"], {})[m] = p
    return {"months": wanted, "providers": dict(sorted(per.items())), "built": built}


def early_warnings(deps: ReportsDeps, who: Principal, month: str, today: date) -> dict:
    """The three rules of ``domain/warnings`` for ``month`` (lock dates: it and the month before)."""
    case_worker = case_worker_of(who)
    provider = scope(who, None)
    out: dict = {"month": month, "under": [], "rising": [], "locks": [], "built_at": None,
                 "providers_shown": case_worker is None}
    try:
        report, clients = _clients(deps, who, month)
    except NotFound:
        report, clients = None, []
    if report is not None:
        out["built_at"] = report["built_at"]
        # Only a client-month performed under its granted time over the month can stay under it week
        # after week: those are read, no other.
        candidates = [(n, c, p["provider"]) for n, c, result in clients for p in result["parts"]
                      if (provider is None or p["provider"] == provider)
                      and sum(r["performed"] for r in p["rows"]) < sum(r["granted"] for r in p["rows"])]
        states = deps.store.client_month_states(month, sorted({c for _, c, _ in candidates}))
        for n, client, p in candidates:
            cm = states.get(client)
            run = rules.under_granted(cm, p, today) if cm is not None else None
            if run:
                out["under"].append({"client": mask(client), "client_no": n, "provider": p, "weeks": run})
    if case_worker is not None:
        return out
    history = [(m, deps.store.report(m)) for m in
               [shift_month(month, -k) for k in range(max(rules.BASE_MONTHS, rules.RISING_MONTHS), 0, -1)]]
    history.append((month, report))
    names = sorted({p["provider_id"] for _, r in history if r for p in r["providers"]})
    for name in names:
        if provider is not None and name != provider:
            continue
        of = [(m, next((p for p in r["providers"] if p["provider_id"] == name), None) if r else None)
              for m, r in history]
        for rise in rules.rising_shares(of):
            out["rising"].append({"provider": name, "rise": rise})
    for m, r in history[-2:]:
        out["locks"] += [w for w in rules.unapproved_at_lock(m, r, today) if provider is None or w.provider == provider]
    return out
