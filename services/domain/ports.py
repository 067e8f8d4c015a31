"""The ports use cases depend on, beside the domain: implemented over DynamoDB in
``services/adapters`` and in memory in ``tests/support/fakes/common.py``.

A use case never sees a key, an expression or a client: it asks a repository for an
aggregate, changes it, hands the new version to the repository *within* a unit of work, says
which events happened, and commits. Either all of it is stored (and the events follow) or
nothing is, and the commit raises ``Conflict``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, TypeVar

if TYPE_CHECKING:
    from ..contracts.events import Envelope, Event

A = TypeVar("A")


class UnitOfWork(Protocol):
    """The writes of one use case and the events they cause, committed together."""

    def emit(self, event: Event) -> Envelope:
        """Records that ``event`` happened; it is published only if the commit succeeds."""
        ...

    def commit(self, conflict_detail: str = ...) -> list[Envelope]:
        """Stores every staged write or none (``Conflict`` when a version moved on)."""
        ...


class VersionedRepository(Protocol[A]):
    """What every aggregate's repository offers; repositories add their own finders."""

    def find(self, *ident: Any) -> A | None: ...

    def get(self, *ident: Any) -> A:
        """The aggregate, or ``NotFound``."""
        ...

    def add(self, uow: UnitOfWork, aggregate: A) -> A:
        """Stages a new aggregate; the commit fails with ``Conflict`` if it exists."""
        ...

    def replace(self, uow: UnitOfWork, aggregate: A, *, expected_version: int) -> A:
        """Stages ``aggregate`` as the next version; the commit fails with ``Conflict`` if the
        stored version is no longer ``expected_version``. Returns what will be stored."""
        ...


class Sessions(Protocol):
    """A web section's sessions (``entrypoints/web/sessions.py``), kept in the section's own
    service's table (``entrypoints/web/adapters/sessions.py``)."""

    def get(self, session_id: str | None) -> Any: ...

    def put(self, session: Any) -> None: ...

    def delete(self, session_id: str) -> None: ...


# The OIDC token endpoint a web section's login calls: (url, form) -> the token response. None: over HTTP.
TokenEndpoint = Callable[[str, dict[str, str]], dict[str, Any]]
