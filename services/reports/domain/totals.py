"""A month's totals in parts, kept up to date client-month by client-month. Pure."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...observability import get_logger
from .fold import add_result

logger = get_logger("reports")


@dataclass
class Accumulator:
    """One part of a month's totals, kept up to date by the consumer: per provider the sums and
    histograms (``fold``) of the results of its clients, and the version of each client-month whose
    result is in them. ``dirty``: a change could not be brought in exactly (the next build is a
    full rebuild, which sets the totals again)."""

    month: str
    shard: int
    providers: dict[str, dict] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    latest: str = ""  # the latest touched_at of the results in it
    dirty: bool = False
    version: int = 0  # the store's optimistic version


def bring(acc: Accumulator, client: str, version: int, known: dict[int, dict | None]) -> bool:
    """Brings one client-month into ``acc`` at ``version``; ``known``: its results by version (0:
    none). Returns whether ``acc`` changed. A version it holds that is not known (two changes
    missed) cannot be taken out exactly: the totals are marked for a full rebuild."""
    have = acc.versions.get(client, 0)
    if have >= version:
        return False
    if have in known:
        add_result(acc.providers, known[have], -1)
        add_result(acc.providers, known[version], 1)
    else:
        logger.warning("month totals missed a change; the next build is a full rebuild")
        acc.dirty = True
    acc.versions[client] = version
    result = known.get(version)
    if result and (result.get("touched_at") or "") > acc.latest:
        acc.latest = result["touched_at"]
    return True
