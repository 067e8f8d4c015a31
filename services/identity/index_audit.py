"""One-off and idempotent: gives the identity trail's entries written before each account's entries
were also kept in its own partition (the account page's whole history) that copy's keys.

``python -m services.identity.index_audit [FROM [TO]]`` (``make index-identity-audit``): the days
FROM..TO (ÅÅÅÅ-MM-DD; by default 2026-01-01, before the directory began, to today). Prints a count
only: no personnummer, no account."""
from __future__ import annotations

import sys
from datetime import date


def main(argv: list[str]) -> int:
    from .bootstrap import deps

    first = date.fromisoformat(argv[0]) if argv else date(2026, 1, 1)
    last = date.fromisoformat(argv[1]) if len(argv) > 1 else date.today()
    given = deps().audit.index_by_account(first, last)
    print(f"{given} entries of {first}..{last} now in their account's history")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
