"""One-off and idempotent: gives case work's audit records written before the index by resource
(``gsi3``, "who has read or changed this case?") that index's keys.

``python -m services.eservices.casework.index_audit [FROM [TO]]`` (``make index-casework-audit``):
the days FROM..TO (ÅÅÅÅ-MM-DD; by default 2026-01-01, before the trail began, to today). Prints a
count only: no personnummer, no case."""
from __future__ import annotations

import sys
from datetime import date


def main(argv: list[str]) -> int:
    from ..bootstrap import deps

    first = date.fromisoformat(argv[0]) if argv else date(2026, 1, 1)
    last = date.fromisoformat(argv[1]) if len(argv) > 1 else date.today()
    given = deps().casework.audit.index_by_resource(first, last)
    print(f"{given} records of {first}..{last} now found by their case (resource)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
