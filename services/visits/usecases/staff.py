"""The staff registry, kept by the provider's coordinator: an event of someone not in it is rejected."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import NotFound
from ..schemas import StaffView

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def add_staff(deps: VisitsDeps, who: Principal, user_id: str) -> StaffView:
    deps.staff.add_staff(who.provider_id or "", user_id)
    return StaffView(provider_id=who.provider_id or "", user_id=user_id)


def list_staff(deps: VisitsDeps, who: Principal) -> list[StaffView]:
    provider = who.provider_id or ""
    return [StaffView(provider_id=provider, user_id=u) for u in deps.staff.staff_of(provider)]


def remove_staff(deps: VisitsDeps, who: Principal, user_id: str) -> StaffView:
    if not deps.staff.remove_staff(who.provider_id or "", user_id):
        raise NotFound("no such staff member")
    return StaffView(provider_id=who.provider_id or "", user_id=user_id)
