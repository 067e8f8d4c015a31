"""What assignments and relative approvals share: a dated, versioned record changed in place."""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from ...domain.errors import Conflict, ValidationFailed

R = TypeVar("R", bound=BaseModel)


def changed(record: R, body: Any, *, what: str, required: tuple[str, ...]) -> R:
    """The record with the fields the body sets, as its next version; checks the version read,
    that no required field is emptied, and that the period still ends on or after it starts."""
    if body.version != record.version:  # type: ignore[attr-defined]
        raise Conflict(f"the {what} was changed by someone else; reload it")
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    for name in required:
        if name in changes and changes[name] is None:
            raise ValidationFailed.field(name, "cannot be emptied")
    updated = record.model_copy(update={**changes, "version": record.version + 1})  # type: ignore[attr-defined]
    if updated.valid_to is not None and updated.valid_to < updated.valid_from:  # type: ignore[attr-defined]
        raise ValidationFailed.field("valid_to", "must be on or after valid_from")
    return updated
