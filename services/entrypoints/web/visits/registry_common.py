"""What the provider's registry pages share (Frånvaro, Taggar och lås, Mina registreringar, Personal
och konton): who may act (the coordinator keeps absences and devices; the provider's manager reads
them), Swedish labels, and dates and times as typed."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ....auth.policy import authorize
from ....auth.principal import Principal
from ....domain.calendar import STOCKHOLM, local_clock, stockholm_date
from ..http import Context
from ..months import asked_month, month_of
from .common import provider_lead

ABSENCE_ACTION = "absences.manage"
DEVICE_ACTION = "tags.manage"
DATE_HINT = "ÅÅÅÅ-MM-DD"
DATE_ERROR = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-03."
INSTANT_ERROR = "Skriv datum och tid som ÅÅÅÅ-MM-DD TT:MM, till exempel 2026-11-03 08:30."


def reader(ctx: Context) -> Principal:
    """The provider's coordinator or manager (reads the registry); a login page for nobody, 403 else."""
    return provider_lead(ctx)


def keeper(ctx: Context, action: str) -> Principal:
    """The provider's coordinator, who keeps absences and devices (the API's ``absences.manage`` /
    ``tags.manage``); the manager reads only (403 on a change)."""
    who = provider_lead(ctx)
    authorize(who, action)
    return who


def may(who: Principal, action: str) -> bool:
    from ....auth.policy import POLICY

    return who.role in POLICY[action]


def errors_list(errors: dict[str, str], prefix: str) -> list[dict[str, str]]:
    return [{"text": t, "href": f"#{prefix}-{k}"} for k, t in errors.items()]


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_instant(value: str) -> datetime | None:
    """``2026-11-03 08:30`` (Stockholm time; a ``T`` between works too) → an aware instant."""
    text = value.strip().replace("T", " ")
    try:
        parsed = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return parsed.replace(tzinfo=STOCKHOLM)


def instant_text(value: datetime | None) -> str:
    return f"{stockholm_date(value).isoformat()} {local_clock(value)}" if value else ""


def month_asked(ctx: Context, now: datetime) -> tuple[int, int, str, str | None]:
    """The month chooser (``?manad=YYYY-MM``): (year, month, as typed, error or None); this month by
    default, and this month's figures beside an error (the pattern and its Swedish error: web/months.py)."""
    today = stockholm_date(now)
    typed, errors = asked_month(ctx, month_of(today))
    if errors:
        return today.year, today.month, typed, errors["manad"]
    return int(typed[:4]), int(typed[5:7]), typed, None


def field_values(ctx: Context, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: ctx.form.get(n).strip() for n in names}
