"""What an app's import loads: the app imported the way the Lambda runtime does (its folder first,
its vendor/ beside it) in a fresh interpreter with a bare environment."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def modules_after_app_import(app: str) -> set[str]:
    """Every module in ``sys.modules`` once ``<app>_svc/app.py`` is imported."""
    folder = ROOT / f"{app}_svc"
    code = ("import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import app; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(folder), str(folder / "vendor")], cwd=folder,
                         capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-north-1",
                              "POWERTOOLS_METRICS_DISABLED": "true"})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))
