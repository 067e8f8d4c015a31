"""Adding client-month results up: per provider and for the whole municipality. Pure."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Iterable

from .domain import ABSENCE_KINDS, DEVIATIONS, MANY_STAFF, median, parse_month, share, windows


class Totals:
    """Sums and continuity distributions of some client-month parts."""

    def __init__(self, year: int, month: int) -> None:
        self.year, self.month = year, month
        self.clients = 0
        self.sums = Counter({k: 0 for k in ("granted", "performed", "approved", "visits", "double_staffed",
                                              "beyond_granted")})
        self.absence = Counter({k: 0 for k in ABSENCE_KINDS})
        self.deviations = Counter({k: 0 for k in DEVIATIONS})
        self.pairs: list[int] = []  # every counted (client, window) value
        self.per_window: list[list[int]] = [[] for _ in windows(year, month)]
        self.client_max: list[int] = []

    def add(self, part: dict) -> None:
        self.clients += 1
        for row in part["rows"]:
            for k in ("granted", "performed", "approved", "visits", "double_staffed"):
                self.sums[k] += row[k]
            if row["granted"]:
                self.sums["beyond_granted"] += max(0, row["performed"] - row["granted"])
        self.absence.update(part["absence_days"])
        self.deviations.update(part["deviations"])
        counted = [c for c in part["continuity"] if c is not None]
        for i, c in enumerate(part["continuity"]):
            if c is not None:
                self.per_window[i].append(c)
        self.pairs.extend(counted)
        if counted:
            self.client_max.append(max(counted))

    def view(self) -> dict:
        s = self.sums
        return {
            "clients": self.clients,
            "granted_minutes": s["granted"], "performed_minutes": s["performed"], "approved_minutes": s["approved"],
            "share_performed": share(s["performed"], s["granted"]),
            "beyond_granted_minutes": s["beyond_granted"],
            "visits": s["visits"], "double_staffed_visits": s["double_staffed"],
            "absence_days": dict(sorted(self.absence.items())),
            "deviations": {k: self.deviations[k] for k in DEVIATIONS},
            "continuity": {
                "clients_counted": len(self.client_max),
                "median": median(self.pairs),
                "mean": round(sum(self.pairs) / len(self.pairs), 2) if self.pairs else None,
                "share_over_20": (round(sum(1 for m in self.client_max if m > MANY_STAFF) / len(self.client_max), 4)
                                  if self.client_max else None),
                "windows": [{"from": a.isoformat(), "to": b.isoformat(), "clients": len(vals),
                             "median": median(vals),
                             "mean": round(sum(vals) / len(vals), 2) if vals else None}
                            for (a, b), vals in zip(windows(self.year, self.month), self.per_window)],
            },
        }


def summarize(month: str, results: Iterable[dict], *, built_at: datetime, kind: str) -> dict:
    """The report of a month from every client-month result: per provider and the municipality."""
    year, mon = parse_month(month)
    providers: dict[str, Totals] = {}
    everyone = Totals(year, mon)
    data_until = ""
    count = 0
    for result in results:
        count += 1
        data_until = max(data_until, result.get("touched_at") or "")
        for part in result["parts"]:
            providers.setdefault(part["provider"], Totals(year, mon)).add(part)
            everyone.add(part)
    return {
        "month": month, "built_at": built_at.isoformat(), "data_until": data_until or None, "build": kind,
        "client_months": count,
        "providers": [{"provider_id": p, **providers[p].view()} for p in sorted(providers)],
        "municipality": everyone.view(),
    }
