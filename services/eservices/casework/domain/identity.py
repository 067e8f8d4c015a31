"""Who a personnummer is, as case work may show it: names checked against the population
register, and the protection of a person with protected identity (skyddade personuppgifter).

Names: a case worker types a name beside a personnummer (messaging, relatives, assignments).
When the register knows the personnummer, the name must be the registered one (case, spacing and
Unicode form aside; the first name may be any one of the registered given names), and what is
stored is the register's spelling. A personnummer the register does not know (a coordination
number, a person not yet registered) keeps the typed name: there is nothing to check it against.

Protected identity: all case workers see the inbox, so the inbox never shows a protected person's
name (``PROTECTED_NAME`` instead; the personnummer is masked there anyway). The case view shows
the name, the answers about the person and the case's documents only to the case worker the case
was assigned to at intake; before intake, and to anyone else, the name is ``PROTECTED_NAME``, the
"about you" step is withheld and the documents are refused. Errors never reveal a protected
person's registered name.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from ....domain.errors import FieldError, ValidationFailed
from ...domain.people import RegisteredPerson

PROTECTED_NAME = "Skyddad identitet"


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _first_name_matches(typed: str, registered: str) -> bool:
    typed, registered = _norm(typed), _norm(registered)
    return typed == registered or typed in registered.split()


def mismatched(first_name: str, last_name: str, known_first: str, known_last: str,
               fields: tuple[str, str] = ("first_name", "last_name")) -> list[str]:
    """Which of ``fields`` (first, last) do not give the known name, by the register's rule: case,
    spacing and Unicode form aside, the first name any one of the known given names."""
    return [field for field, ok in ((fields[0], _first_name_matches(first_name, known_first)),
                                    (fields[1], _norm(last_name) == _norm(known_last))) if not ok]


def checked_name(register: Any, personnummer: str, first_name: str, last_name: str, *,
                 fields: tuple[str, str] = ("first_name", "last_name")) -> tuple[str, str]:
    """The registered (first, last) name for ``personnummer``; 422 naming each field that does not
    match the register. Unknown to the register: the typed name, as given."""
    person: RegisteredPerson | None = register.lookup(str(personnummer))
    if person is None:
        return first_name, last_name
    wrong = mismatched(first_name, last_name, person.first_name, person.last_name, fields)
    if not wrong:
        return person.first_name, person.last_name
    shown = ("the registered name is not shown (protected identity)" if person.protected_identity
             else f"the register has {person.first_name} {person.last_name}")
    errors = [FieldError(name, f"does not match the population register for this personnummer; "
                                            f"{shown}") for name in wrong]
    raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)


def checked_names(register: Any, people: list[tuple[str, str, str, tuple[str, str]]]) -> list[tuple[str, str]]:
    """``checked_name`` for several people (personnummer, first, last, fields); every wrong name
    is reported in one 422."""
    found, errors = [], []
    for personnummer, first, last, fields in people:
        try:
            found.append(checked_name(register, personnummer, first, last, fields=fields))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    return found


def is_protected(register: Any, personnummer: str) -> bool:
    person = register.lookup(str(personnummer))
    return bool(person and person.protected_identity)
