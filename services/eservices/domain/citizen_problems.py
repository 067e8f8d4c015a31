"""What citizens and relatives read, in Swedish: the problem documents of the e-services.

Staff routes answer in English (consistently); a use case that a citizen or a relative calls
raises its domain errors through ``citizen_error`` so that both the title and the detail of the
problem document are Swedish. Field errors carry Swedish details of their own.
"""
from __future__ import annotations

from typing import TypeVar

from ...domain.errors import TITLES_SV, DomainError, FieldError

E = TypeVar("E", bound=DomainError)



def citizen_error(cls: type[E], detail: str, *, errors: list[FieldError] | None = None) -> E:
    """``cls(detail)`` with a Swedish title for its kind of problem."""
    error = cls(detail, errors=errors)
    error.title = TITLES_SV.get(error.slug, error.title)
    return error


def citizen_field(field: str, detail: str) -> DomainError:
    from ...domain.errors import ValidationFailed

    return citizen_error(ValidationFailed, f"{field}: {detail}", errors=[FieldError(field, detail)])


# -- request bodies citizens send -------------------------------------------------------

from typing import ClassVar  # noqa: E402

from pydantic import BaseModel, ValidationError, model_validator  # noqa: E402
from pydantic_core import PydanticCustomError  # noqa: E402

# pydantic's error types, as a citizen reads them.
MESSAGES_SV: dict[str, str] = {
    "missing": "Obligatoriskt fält",
    "extra_forbidden": "Okänt fält",
    "string_type": "Ska vara text",
    "string_too_short": "För kort",
    "string_too_long": "För lång",
    "string_pattern_mismatch": "Har fel format",
    "int_type": "Ska vara ett heltal",
    "int_parsing": "Ska vara ett heltal",
    "int_from_float": "Ska vara ett heltal",
    "bool_type": "Ska vara ja eller nej",
    "bool_parsing": "Ska vara ja eller nej",
    "literal_error": "Välj ett av de tillåtna värdena",
    "enum": "Välj ett av de tillåtna värdena",
    "list_type": "Ska vara en lista",
    "dict_type": "Ska vara ett objekt",
    "model_type": "Ska vara ett objekt",
    "too_short": "För få",
    "too_long": "För många",
    "greater_than_equal": "För litet värde",
    "greater_than": "För litet värde",
    "less_than_equal": "För stort värde",
    "less_than": "För stort värde",
}


class SwedishRequest(BaseModel):
    """A request body a citizen or relative sends: every field error reads in Swedish, and the
    problem's title too (``problem_title``, read by the HTTP layer)."""

    problem_title: ClassVar[str] = TITLES_SV["validation"]

    @model_validator(mode="wrap")
    @classmethod
    def _in_swedish(cls, data: object, handler: object) -> object:
        try:
            return handler(data)  # type: ignore[operator]
        except ValidationError as exc:
            raise ValidationError.from_exception_data(cls.__name__, [
                {"type": PydanticCustomError("sv", _swedish(e)), "loc": e["loc"], "input": e.get("input")}
                for e in exc.errors()]) from None


def _swedish(error: dict) -> str:
    if error["type"] in ("value_error", "assertion_error", "sv"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return MESSAGES_SV.get(error["type"], "Ogiltigt värde")
