"""A month as the staff sections' pages take it, in the address (``?manad=ÅÅÅÅ-MM``) or a form: one
pattern, one Swedish error, and the month a page shows when none is asked."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .http import Context

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")  # groups: the year, the month
MONTH_ERROR = "Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-11."


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_before(day: date) -> str:
    return month_of(day.replace(day=1) - timedelta(days=1))


def month_fields(month: str, errors: dict[str, str]) -> dict[str, Any]:
    """What a page with the month chooser gives its template: the month as asked, and its error as the
    summary's link and the field's own message."""
    from .formview import ErrorLink

    return {"month": month, "field_errors": errors, "errors": [ErrorLink("#manad", t) for t in errors.values()]}


def asked_month(ctx: Context, default: str) -> tuple[str, dict[str, str]]:
    """``?manad=`` as asked (``default`` when none is): (the month, {"manad": the error} if it is none)."""
    asked = ctx.query.get("manad", "").strip()
    if not asked:
        return default, {}
    return (asked, {}) if MONTH.match(asked) else (asked, {"manad": MONTH_ERROR})
