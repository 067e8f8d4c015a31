"""Domain errors. Entrypoints turn each into an RFC 9457 problem document."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One bad field: a dotted path (``answers.reason``) and what is wrong with it."""

    field: str
    detail: str

    @property
    def pointer(self) -> str:
        return "#/" + self.field.replace(".", "/") if self.field else "#"


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str = "", *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors or [])


class ValidationFailed(DomainError):
    status = 422
    slug = "validation"
    title = "The request has invalid fields"

    @classmethod
    def field(cls, field: str, detail: str) -> "ValidationFailed":
        return cls(f"{field}: {detail}", errors=[FieldError(field, detail)])


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Log in with e-ID"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    """Also used for what exists but belongs to someone else: its existence is not disclosed."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "The resource changed or is in a state that does not allow this"


class PeriodLocked(Conflict):
    slug = "period-locked"
    title = "The month is locked"


class PayloadTooLarge(DomainError):
    status = 413
    slug = "too-large"
    title = "Too large"


class Unavailable(DomainError):
    """Something we depend on cannot be reached (the identity provider's keys, say): try later."""

    status = 503
    slug = "unavailable"
    title = "Temporarily unavailable"


# Problem titles as citizens and relatives read them (staff read the English ones, consistently).
TITLES_SV: dict[str, str] = {
    "bad-request": "Felaktig begäran",
    "validation": "Några uppgifter behöver rättas",
    "unauthenticated": "Logga in med e-legitimation",
    "forbidden": "Du har inte behörighet",
    "not-found": "Hittades inte",
    "conflict": "Det går inte att göra nu",
    "period-locked": "Månaden är låst",
    "too-large": "För stor",
    "unavailable": "Tillfälligt otillgänglig",
    "signing-unavailable": "Underskrift är inte tillgänglig",
}



class LoginRefused(Exception):
    """Every refusal of a login (the e-ID broker's answer, or Insats' directory). ``reason`` is a
    stable code for the audit; ``message`` is Swedish and says what the person should do;
    ``detail`` (English, never personal data or tokens) is for the developer's log. Not a
    ``DomainError``: a login page answers it, never an API."""

    def __init__(self, reason: str, message: str, *, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.message = message
        self.detail = detail
