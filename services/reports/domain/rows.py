"""What a reader of a report may see, and its rows. Pure."""
from __future__ import annotations

from collections.abc import Iterator

from ...auth.principal import Principal, Role
from ...domain.errors import Forbidden
from ...domain.personnummer import mask


def scope(who: Principal, provider_id: str | None) -> str | None:
    """The provider whose report ``who`` may read (None: all). A provider's people read only their own."""
    if who.of_provider:
        if provider_id and provider_id != who.provider_id:
            raise Forbidden("a provider reads only its own report")
        return who.provider_id
    return provider_id


def case_worker_of(who: Principal) -> str | None:
    """A case worker reads only their own clients (those whose decisions name them): their id; None
    for anyone else."""
    return (who.user_id or who.subject) if who.role == Role.CASE_WORKER else None


def readable_clients(published: dict[str, dict], case_worker: str | None) -> Iterator[tuple[int, str, dict]]:
    """(client_no, client, result) of the clients the reader may see. ``client_no`` is the client's
    place among every client of the build (whoever reads it), so a page names a client without the
    personnummer."""
    for client_no, client in enumerate(sorted(published)):
        result = published[client]
        if case_worker is None or case_worker in result.get("case_workers", ()):
            yield client_no, client, result


def rows_of(published: dict[str, dict], provider: str | None, case_worker: str | None = None) -> list[dict]:
    """One row per client, provider and insats (absence days and continuity are the client's);
    ``case_worker``: only the clients whose decisions name them."""
    rows = []
    # ``deviations``: the part's, by kind
    for client_no, client, result in readable_clients(published, case_worker):
        for part in result["parts"]:
            if provider is not None and part["provider"] != provider:
                continue
            counted = [c for c in part["continuity"] if c is not None]
            base = {"provider_id": part["provider"], "client": mask(client), "client_no": client_no,
                    "deviations": part.get("deviations", {}), "aged_65": part["aged_65"],
                    "absence_days": part["absence_days"],
                    "continuity_max": max(counted) if counted else None,
                    "visits_on_absence_days": part.get("visits_on_absence_days", [])}
            for row in part["rows"] or [{"insats": "", "granted": 0, "performed": 0, "approved": 0, "visits": 0,
                                         "double_staffed": 0, "without_decision": False}]:
                rows.append({**base, **row, "share_performed": (round(row["performed"] / row["granted"], 4)
                                                                 if row["granted"] else None)})
    return rows
