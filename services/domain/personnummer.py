"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Accepted forms: ``YYYYMMDDNNNC``, ``YYYYMMDD-NNNC``, ``YYYYMMDD+NNNC``, ``YYMMDD-NNNC``,
``YYMMDD+NNNC`` and ``YYMMDDNNNC`` (``+`` marks a person aged 100 or more; with the 10-digit form
it picks the century). Stored as 12 digits. A samordningsnummer has 60 added to the day of
birth. The last digit is a Luhn check over the 10-digit form; the serial number 000 is never
issued. Only the ASCII digits 0-9 are digits, and nothing may stand between them but the one
separator: "19090527 1474" is refused rather than read as some other number.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from .bounds import ascii_digits

# [0-9], never \d: in Python \d also matches other scripts' digits ("١٩٦٠").
_FORM = re.compile(r"([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{3})([0-9])")
# The one JSON Schema pattern for a personnummer field (request models and the forms' schemas).
JSON_SCHEMA_PATTERN = r"^([0-9]{2})?[0-9]{6}[-+]?[0-9]{4}$"
EXAMPLE = "191212121212"  # 1912-12-12, Luhn check digit 2: the widely used test number "Tolvan"
# Anything in free text that looks like a personnummer: used to mask log lines. Here \d on
# purpose: masking errs on the broad side, other scripts' digits included.
_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)?\d{6})[-+]?(\d{4})(?!\d)")


class InvalidPersonnummer(ValueError):
    pass


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


class Personnummer(str):
    """A valid personnummer or samordningsnummer, as 12 digits."""

    __slots__ = ()

    def __new__(cls, raw: Any, *, today: date | None = None) -> "Personnummer":
        if isinstance(raw, Personnummer):
            return raw
        if today is None and cls is Personnummer:
            return _checked(str(raw), date.today())
        return cls._check(str(raw), today or date.today())

    @classmethod
    def _check(cls, raw: str, on: date) -> "Personnummer":
        text = raw.strip()
        m = _FORM.fullmatch(text)
        if not m or not ascii_digits("".join(g for g in m.groups() if g not in (None, "", "-", "+"))):
            raise InvalidPersonnummer("must be 12 digits (ÅÅÅÅMMDDNNNN) or 10 digits with - or +")
        century, yy, mm, dd, sep, serial, check = m.groups()
        if serial == "000":
            raise InvalidPersonnummer("the serial number 000 is never issued")
        if century is None:
            century = _infer_century(yy, mm, dd, plus=sep == "+", today=on)
        day = int(dd)
        coordination = day > 60
        try:
            date(int(century + yy), int(mm), day - 60 if coordination else day)
        except ValueError:
            raise InvalidPersonnummer("the date of birth is not a real date") from None
        if not _luhn_ok(yy + mm + dd + serial + check):
            raise InvalidPersonnummer("the check digit is wrong")
        number = super().__new__(cls, century + yy + mm + dd + serial + check)
        if sep == "+" and number.age_on(on) < 100:
            raise InvalidPersonnummer("+ marks a person aged 100 or more")
        return number

    @property
    def is_coordination_number(self) -> bool:
        return int(self[6:8]) > 60

    @property
    def birth_date(self) -> date:
        day = int(self[6:8])
        return date(int(self[:4]), int(self[4:6]), day - 60 if day > 60 else day)

    def age_on(self, on: date) -> int:
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def masked(self) -> str:
        return mask(self)

    @property
    def formatted(self) -> str:
        return f"{self[:8]}-{self[8:]}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse, serialization=core_schema.plain_serializer_function_ser_schema(str, return_schema=core_schema.str_schema())
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        # The example is a real value of the field (a linter checks it against the pattern): the
        # Tax Agency's well-known test number, Luhn-valid; the format is said in words.
        return {"type": "string", "pattern": JSON_SCHEMA_PATTERN, "examples": [EXAMPLE],
                "description": "Personnummer or samordningsnummer (ÅÅÅÅMMDDNNNN); stored as 12 digits"}


@lru_cache(maxsize=4096)  # the same few numbers are read again and again (a batch names each client many times)
def _checked(raw: str, on: date) -> Personnummer:
    return Personnummer._check(raw, on)


def _infer_century(yy: str, mm: str, dd: str, *, plus: bool, today: date) -> str:
    # The 10-digit form names the latest century in which the person is under 100 ('-')
    # or at least 100 ('+') today.
    for century in (today.year // 100, today.year // 100 - 1, today.year // 100 - 2):
        year = century * 100 + int(yy)
        if year > today.year:
            continue
        if (year, int(mm), int(dd) % 60 or 1) > (today.year, today.month, today.day):
            continue
        age = today.year - year
        if plus == (age >= 100):
            return str(century)
    raise InvalidPersonnummer("the date of birth is not a real date")


def mask(pnr: str) -> str:
    """``YYYYMMDD-****``: what lists and logs show."""
    return f"{pnr[:8]}-****" if len(pnr) == 12 else "****"


def mask_text(text: str) -> str:
    """Masks every personnummer-shaped run in free text (log lines)."""
    return _IN_TEXT.sub(lambda m: f"{m.group(1)}-****", text)


def parse(raw: Any) -> Personnummer:
    try:
        return Personnummer(raw)
    except InvalidPersonnummer as exc:
        raise ValueError(f"invalid personnummer: {exc}") from None


# Use in pydantic models: ``owner: PersonnummerField``. Validates, stores 12 digits.
PersonnummerField = Personnummer
