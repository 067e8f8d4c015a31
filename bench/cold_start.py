"""cold_start_<app>: each app's module import in a fresh process ÷ ``import boto3`` in a fresh
process, measured in one run. Prints ``cold_start_<app>: ratio=<x>`` per app.

A Lambda's cold start is mostly its import path; boto3 is the floor every one of them pays
(the runtime provides it), so the ratio says how much our own import path adds. The runs of
the baseline and of the apps are interleaved and the median taken, so a busy machine slows
both sides alike.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_COLD_ROUNDS", "7"))
APPS = ("eservices", "visits", "notify", "reports", "billing")

# Imported the way the Lambda runtime does: the app's folder first, its vendor/ beside it.
_TIMED = """
import sys, time
sys.path[:0] = {paths!r}
t = time.perf_counter()
{statement}
print(time.perf_counter() - t)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update({"AWS_DEFAULT_REGION": "eu-north-1", "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "ERROR", "PYTHONDONTWRITEBYTECODE": "0"})
    return env


def _time(statement: str, paths: list[str]) -> float:
    code = _TIMED.format(paths=paths, statement=statement)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(),
                         cwd=paths[0] if paths else str(ROOT), check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _app_paths(app: str) -> list[str]:
    folder = ROOT / f"{app}_svc"
    return [str(folder), str(folder / "vendor")]


def main() -> None:
    # Warm the bytecode caches once so every timed run reads .pyc, as a deployed package does.
    _time("import boto3", [])
    for app in APPS:
        _time("import app", _app_paths(app))
    baseline: list[float] = []
    ours: dict[str, list[float]] = {app: [] for app in APPS}
    for _ in range(ROUNDS):
        baseline.append(_time("import boto3", [str(ROOT)]))
        for app in APPS:
            ours[app].append(_time("import app", _app_paths(app)))
    floor = statistics.median(baseline)
    for app in APPS:
        mine = statistics.median(ours[app])
        print(f"cold_start_{app}: ratio={mine / floor:.2f}  (import {mine * 1000:.0f} ms; "
              f"import boto3 {floor * 1000:.0f} ms; median of {ROUNDS})")


if __name__ == "__main__":
    main()
