"""What every case-work request shares: no unknown fields, texts without control characters.

Requests forbid unknown fields and name every bad field (RFC 9457 via the HTTP layer).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo

from ....domain.bounds import check_line, check_text

# Every text a case worker sends: no control characters, bidi overrides or lone surrogates
# (they would be stored and printed into letters); one-line texts also no line breaks.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(check_line)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(check_line)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(check_text)]
Ore = Annotated[int, Field(strict=True, ge=0, le=100_000_000)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9\-]{1,64}$")]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

def not_before(value: date | None, info: ValidationInfo, start: str = "valid_from") -> date | None:
    begins = info.data.get(start)
    if value is not None and begins is not None and value < begins:
        raise ValueError(f"must be on or after {start}")
    return value
