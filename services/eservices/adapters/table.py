"""The one e-services table and the unit of work over it, for the composition root."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...adapters.dynamo import UnitOfWork


def eservices_table() -> Any:
    from ...adapters.aws import table

    return table("eservices")


def units_of_work(table: Any, source: str) -> Callable[[], UnitOfWork]:
    """A factory of new units of work over ``table``, whose events carry ``source``; the unit of
    work's module (botocore's errors) loads on the first write, not on a cold start's first read."""
    def unit_of_work() -> UnitOfWork:
        from ...adapters.dynamo import UnitOfWork

        return UnitOfWork(table, source)

    return unit_of_work
