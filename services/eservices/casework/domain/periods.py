"""What assignments and relative approvals share: a dated, versioned record changed in place."""
from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from ....domain.bounds import near
from ....domain.errors import Conflict, FieldError, ValidationFailed

R = TypeVar("R", bound=BaseModel)


def changed(record: R, body: Any, *, what: str, required: tuple[str, ...], today: date | None = None,
            limits: dict[str, tuple[int, int]] | None = None) -> R:
    """The record with the fields the body sets, as its next version; checks the version read,
    that no required field is emptied, that changed dates lie within ``limits`` of ``today``, and
    that the period still ends on or after it starts."""
    if body.version != record.version:  # type: ignore[attr-defined]
        raise Conflict(f"the {what} was changed by someone else; reload it")
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    if today is not None and limits:
        refuse(dates_near_today(changes, today, limits))
    for name in required:
        if name in changes and changes[name] is None:
            raise ValidationFailed.field(name, "cannot be emptied")
    updated = record.model_copy(update={**changes, "version": record.version + 1})  # type: ignore[attr-defined]
    if updated.valid_to is not None and updated.valid_to < updated.valid_from:  # type: ignore[attr-defined]
        raise ValidationFailed.field("valid_to", "must be on or after valid_from")
    return updated


# How far from today a record's dates may lie, in years (back, ahead): a decision or an
# assignment starts near the day it is made and a relative's approval may record one in force
# for years; none ends more than ten years ahead. Dates outside are refused as typing errors.
DECISION_DATES = {"valid_from": (2, 2), "valid_to": (2, 10)}
APPROVAL_DATES = {"valid_from": (10, 1), "valid_to": (10, 10)}
ASSIGNMENT_DATES = {"valid_from": (2, 2), "valid_to": (2, 10)}


def dates_near_today(values: dict[str, Any], today: date, limits: dict[str, tuple[int, int]], *,
                     prefix: str = "") -> list[FieldError]:
    """An error per date in ``values`` (by field name) that lies outside its limits from today."""
    errors = []
    for name, (back, ahead) in limits.items():
        value = values.get(name)
        if isinstance(value, date) and not near(value, today, years_back=back, years_ahead=ahead):
            errors.append(FieldError(f"{prefix}{name}", f"must be within {back} years before and {ahead} years "
                                                        f"after today"))
    return errors


def refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
