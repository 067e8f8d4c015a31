"""``python -m services.notify.providers FILE`` with ``[{"provider_id", "email", "mobile"}]``:
loads providers' contact addresses into notify (``usecases/provider_contacts.py``)."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    from .bootstrap import deps
    from .usecases.provider_contacts import load

    path = Path(argv[0])
    data = json.loads(path.read_text(encoding="utf-8"))
    at = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    print(f"providers loaded: {load(deps().preferences, data, at)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
