"""Reading visits: a page of a provider's month, one visit."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import ValidationFailed
from ..domain import rules
from ..domain.model import Visit
from ..schemas import VisitQuery, VisitView
from .guards import provider_asked, scoped
from ..paging import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def visit_view(v: Visit, now: datetime) -> VisitView:
    return VisitView(**v.model_dump(exclude={"client", "event_ids"}), client=v.client.masked,
                     minutes=v.minutes, locked=rules.locked_reason(v.started_at, now) is not None)


def list_visits(deps: VisitsDeps, who: Principal, query: VisitQuery) -> list[VisitView]:
    found, _ = visits_page(deps, who, query)
    return found


def visits_page(deps: VisitsDeps, who: Principal, query: VisitQuery) -> tuple[list[VisitView], str | None]:
    """A page of a provider's month (at most ``query.limit`` visits, in client and day order, each
    page in time order) and the cursor of the next page (None: the last)."""
    provider = provider_asked(who, query.provider_id)
    if provider is None:
        raise ValidationFailed.field("query.provider_id", "name the provider")
    year, month = (int(x) for x in query.month.split("-"))
    visits, position = deps.days.visits_page(provider, year, month, str(query.client) if query.client else None,
                                             limit=query.limit, cursor=decode_cursor(query.cursor))
    now = deps.clock()
    page = [visit_view(v, now) for v in sorted(visits, key=lambda v: (v.started_at, v.visit_id))]
    return page, encode_cursor(position) if position else None


def get_visit(deps: VisitsDeps, who: Principal, visit_id: str) -> VisitView:
    return visit_view(scoped(who, deps.days.get_visit(visit_id)), deps.clock())
