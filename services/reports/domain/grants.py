"""A client's granted time as reports keep it, from the decisions published for the client."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Grants:
    """A client's granted time: decision id → entries ([insats, minutes, from, to, provider]), and
    the months the client has a client-month in (which a new decision recomputes)."""

    client: str
    decisions: dict[str, list[list]] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    version: int = 0  # the store's optimistic version

    @property
    def entries(self) -> list[list]:
        return [e for d in sorted(self.decisions) for e in self.decisions[d]]
