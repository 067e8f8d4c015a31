"""Operator commands of billing (run against the stack ``AWS_ENDPOINT_URL`` points at, or AWS):

    python -m services.billing.cli load-providers FILE   # the register of contracted providers

``FILE`` is ``[{"provider_id", "name"}]``; see ``usecases/provider_register.py``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.billing.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("load-providers", help="load the register of contracted providers").add_argument("file")
    args = parser.parse_args(argv)
    from .bootstrap import deps
    from .usecases.provider_register import load

    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    print(f"providers loaded: {load(deps().store, data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
