"""Fuzz figures: each worker writes its own file; the summary adds them up."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

FIGURES = Path(__file__).resolve().parents[2] / "build" / "fuzz"


def clear() -> None:
    shutil.rmtree(FIGURES, ignore_errors=True)


def write(figures: dict[str, dict[str, int]]) -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (FIGURES / f"{worker}.json").write_text(json.dumps(figures, indent=1))


def summary() -> list[str]:
    if not FIGURES.exists():
        return []
    totals: dict[str, dict[str, int]] = {}
    for file in sorted(FIGURES.glob("*.json")):
        for app, figures in json.loads(file.read_text()).items():
            into = totals.setdefault(app, {})
            for key, value in figures.items():
                into[key] = into.get(key, 0) + value
    return [f"{app:10} requests {f.get('requests', 0):6}   answers that were 5xx {f.get('server_errors', 0):4}   "
            f"broke the schema {f.get('schema_violations', 0):4}   broke another check {f.get('other', 0):4}   "
            f"(of these failing answers, in known bugs marked xfail: {f.get('known', 0)})"
            for app, f in sorted(totals.items())]
