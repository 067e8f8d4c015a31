"""Adding client-month results up: per provider and for the whole municipality. Pure.

Totals are kept as integer sums and histograms (``agg``), so a client-month's result can be added
and taken away again: the consumer keeps a month's totals up to date when a client-month changes
(the old result out, the new one in), and a full rebuild adds every result once. Medians, means and
shares are read from the histograms only when a report is made, so both give the same figures.

An ``agg`` (plain JSON): ``n`` parts (client × provider), ``s`` sums (``SUMS``), ``a`` absence days
by kind, ``d`` deviations by kind, ``p`` a histogram of every counted (client, window) value, ``w``
one histogram per window of the month, ``x`` a histogram of each counted client's largest window.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from ...domain.absences import ABSENCE_KINDS
from .client_month import DEVIATIONS, MANY_STAFF, parse_month, share, windows

SUMS = ("granted", "performed", "approved", "visits", "double_staffed", "beyond_granted")


def new_agg(days: int) -> dict:
    return {"n": 0, "s": [0] * len(SUMS), "a": {}, "d": {}, "p": {}, "w": [{} for _ in range(days)], "x": {}}


def _bump(counts: dict, key: str, by: int) -> None:
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


def add_part(agg: dict, part: dict, sign: int = 1) -> None:
    """Adds (``sign`` 1) or takes away (-1) one provider's part of a client-month's result."""
    agg["n"] += sign
    s = agg["s"]
    for row in part["rows"]:
        granted, performed = row["granted"], row["performed"]
        s[0] += sign * granted
        s[1] += sign * performed
        s[2] += sign * row["approved"]
        if granted and performed > granted:
            s[5] += sign * (performed - granted)
    # A visit is counted once. Results stored before parts counted their visits (recompute makes
    # them anew) are taken out as they were put in: by their rows.
    visits = part.get("visits", sum(row["visits"] for row in part["rows"]))
    double = part.get("double_staffed", sum(row["double_staffed"] for row in part["rows"]))
    s[3] += sign * visits
    s[4] += sign * double
    for kind, days in part["absence_days"].items():
        if days:
            _bump(agg["a"], kind, sign * days)
    for kind, count in part["deviations"].items():
        if count:
            _bump(agg["d"], kind, sign * count)
    pairs, per_window, best = agg["p"], agg["w"], None
    for i, c in enumerate(part["continuity"]):
        if c is not None:
            key = str(c)
            _bump(pairs, key, sign)
            _bump(per_window[i], key, sign)
            if best is None or c > best:
                best = c
    if best is not None:
        _bump(agg["x"], str(best), sign)


def add_result(aggs: dict[str, dict], result: dict | None, sign: int = 1) -> None:
    """Adds (or takes away) a client-month's result to per-provider totals."""
    if not result:
        return
    for part in result["parts"]:
        agg = aggs.get(part["provider"])
        if agg is None:
            agg = aggs[part["provider"]] = new_agg(len(part["continuity"]))
        add_part(agg, part, sign)


def merge(into: dict[str, dict], other: dict[str, dict]) -> None:
    """Adds per-provider totals ``other`` to ``into``."""
    for provider, agg in other.items():
        mine = into.get(provider)
        if mine is None:
            mine = into[provider] = new_agg(len(agg["w"]))
        mine["n"] += agg["n"]
        mine["s"] = [a + b for a, b in zip(mine["s"], agg["s"])]
        for k in ("a", "d", "p", "x"):
            for key, value in agg[k].items():
                _bump(mine[k], key, value)
        for mw, w in zip(mine["w"], agg["w"]):
            for key, value in w.items():
                _bump(mw, key, value)


def _sorted_hist(hist: dict) -> list[tuple[int, int]]:
    return sorted((int(k), c) for k, c in hist.items() if c)


def hist_median(hist: dict) -> float | None:
    values = _sorted_hist(hist)
    n = sum(c for _, c in values)
    if not n:
        return None

    def nth(i: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if i < seen:
                return value
        raise IndexError(i)

    return float(nth(n // 2)) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def hist_mean(hist: dict) -> float | None:
    values = _sorted_hist(hist)
    n = sum(c for _, c in values)
    return round(sum(v * c for v, c in values) / n, 2) if n else None


def view(agg: dict, year: int, month: int) -> dict:
    """What a report shows of some totals."""
    s = dict(zip(SUMS, agg["s"]))
    counted = sum(agg["x"].values())
    many = sum(c for v, c in _sorted_hist(agg["x"]) if v > MANY_STAFF)
    absence = {k: 0 for k in ABSENCE_KINDS}
    absence.update(agg["a"])
    return {
        "clients": agg["n"],
        "granted_minutes": s["granted"], "performed_minutes": s["performed"], "approved_minutes": s["approved"],
        "share_performed": share(s["performed"], s["granted"]),
        "beyond_granted_minutes": s["beyond_granted"],
        "visits": s["visits"], "double_staffed_visits": s["double_staffed"],
        "absence_days": dict(sorted(absence.items())),
        "deviations": {k: agg["d"].get(k, 0) for k in DEVIATIONS},
        "continuity": {
            "clients_counted": counted,
            "median": hist_median(agg["p"]),
            "mean": hist_mean(agg["p"]),
            "share_over_20": round(many / counted, 4) if counted else None,
            "windows": [{"from": a.isoformat(), "to": b.isoformat(), "clients": sum(w.values()),
                         "median": hist_median(w), "mean": hist_mean(w)}
                        for (a, b), w in zip(windows(year, month), agg["w"])],
        },
    }


def report_of(month: str, aggs: dict[str, dict], *, built_at: datetime, kind: str, client_months: int,
              data_until: str) -> dict:
    """The report of a month from its per-provider totals: per provider and the municipality."""
    year, mon = parse_month(month)
    everyone: dict[str, dict] = {}
    for agg in aggs.values():
        merge(everyone, {"*": agg})
    total = everyone.get("*") or new_agg(len(windows(year, mon)))
    return {
        "month": month, "built_at": built_at.isoformat(), "data_until": data_until or None, "build": kind,
        "client_months": client_months,
        "providers": [{"provider_id": p, **view(aggs[p], year, mon)} for p in sorted(aggs) if aggs[p]["n"]],
        "municipality": view(total, year, mon),
    }


def summarize(month: str, results: Iterable[dict], *, built_at: datetime, kind: str) -> dict:
    """The report of a month from every client-month result."""
    aggs: dict[str, dict] = {}
    data_until, count = "", 0
    for result in results:
        count += 1
        data_until = max(data_until, result.get("touched_at") or "")
        add_result(aggs, result)
    return report_of(month, aggs, built_at=built_at, kind=kind, client_months=count, data_until=data_until)
