"""Swedish mobile numbers and e-mail addresses: how people write them, what is stored.

A mobile number is stored in E.164 (``+46707654321``), the only form SNS sends SMS to. People
write it in many ways, all accepted here: ``070-765 43 21``, ``0707654321``,
``+46 70 765 43 21``, ``+46 (0)70 765 43 21``, ``0046707654321`` (spaces, hyphens, dots and
slashes between the digits).

Only numbers that reach a person's phone by SMS are accepted. In the Swedish numbering plan
(PTS) the mobile series are 070, 072, 073, 076 and 079, each followed by seven digits. The other
07x series are not a person's phone: 071 is machine-to-machine (alarms, meters), 074 paging and
text services, 075 and 078 are unassigned, 077 is shared-cost and premium numbers (0771, 077x).
A landline (08, 031, …) cannot take an SMS. Foreign numbers are refused: SMS is sent through a
Swedish sender, and the municipality contacts its residents on Swedish numbers; a person with a
foreign phone chooses e-mail.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

MOBILE_PREFIXES = ("70", "72", "73", "76", "79")  # after the trunk 0 or the country code 46
_SEPARATORS = re.compile(r"[\s\-./]")
_NATIONAL = re.compile(r"^7[02369][0-9]{7}$")
EXAMPLE = "070-765 43 21"

# The Swedish names of the fields that take a phone or an e-mail, for the error message.
FIELD_LABELS = {
    "mobile": "Mobiltelefon", "phone": "Mobiltelefon", "phone1": "Telefon 1", "phone2": "Telefon 2",
    "email": "E-postadress",
}


class InvalidPhone(ValueError):
    pass


def normalize_mobile(raw: str) -> str:
    """A Swedish mobile number as written by a person → E.164. Raises ``InvalidPhone``."""
    if not isinstance(raw, str):
        raise InvalidPhone("not text")
    text = raw.strip().replace("(0)", "")
    compact = _SEPARATORS.sub("", text)
    if not compact or not compact.lstrip("+").isascii() or not compact.lstrip("+").isdigit():
        raise InvalidPhone("only digits, spaces and hyphens, with an optional leading +")
    if compact.startswith("+46"):
        national = compact[3:]
    elif compact.startswith("0046"):
        national = compact[4:]
    elif compact.startswith("+") or compact.startswith("00"):
        raise InvalidPhone("not a Swedish number")
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        raise InvalidPhone("give the number with its leading 0 or +46")
    national = national.removeprefix("0")  # "+46 070…": the trunk 0 written after the country code
    if not _NATIONAL.match(national):
        raise InvalidPhone("not a Swedish mobile number")
    return "+46" + national


def is_mobile_e164(value: str) -> bool:
    return bool(re.fullmatch(r"\+467[02369][0-9]{7}", value or ""))


def display(e164: str) -> str:
    """``+46707654321`` → ``070-765 43 21`` (how it is shown back to the person)."""
    if not is_mobile_e164(e164):
        return e164
    n = "0" + e164[3:]
    return f"{n[:3]}-{n[3:6]} {n[6:8]} {n[8:]}"


def mobile_error(field: str | None, label: str | None = None) -> str:
    """The message for a number that is not a Swedish mobile; ``label`` names a form's field."""
    label = label or FIELD_LABELS.get(field or "", "Mobilnummer")
    return (f"{label}: ange ett svenskt mobilnummer, till exempel {EXAMPLE} "
            f"(nummer som börjar med 070, 072, 073, 076 eller 079)")


def _mobile(value: str, info: ValidationInfo) -> str:
    try:
        return normalize_mobile(value)
    except InvalidPhone:
        raise ValueError(mobile_error(info.field_name)) from None


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# Every request field that takes a mobile number uses this type: stored as E.164.
MobilePhone = Annotated[str, AfterValidator(_mobile)]
# The same, where an empty string means "no number".
OptionalMobilePhone = Annotated[MobilePhone | None, BeforeValidator(_blank_is_none)]


# -- e-mail ---------------------------------------------------------------------------------

# Deliberately plain: one @, a dot in the domain, no spaces or control characters, at most 254
# characters (RFC 5321's path limit). SES reports what is wrong beyond that as a bounce.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]{2,}$")


class InvalidEmail(ValueError):
    pass


def normalize_email(raw: str) -> str:
    """Trimmed, the domain lower-cased (the local part is the receiver's business)."""
    if not isinstance(raw, str):
        raise InvalidEmail("not text")
    text = raw.strip()
    if len(text) > 254 or not _EMAIL.match(text) or ".." in text.split("@")[-1]:
        raise InvalidEmail("not an e-mail address")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def email_error(field: str | None, label: str | None = None) -> str:
    label = label or FIELD_LABELS.get(field or "", "E-postadress")
    return f"{label}: ange en giltig e-postadress, till exempel namn@exempel.se"


def _email(value: str, info: ValidationInfo) -> str:
    try:
        return normalize_email(value)
    except InvalidEmail:
        raise ValueError(email_error(info.field_name)) from None


EmailAddress = Annotated[str, AfterValidator(_email)]
OptionalEmailAddress = Annotated[EmailAddress | None, BeforeValidator(_blank_is_none)]
