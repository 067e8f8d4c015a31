"""The form engine: an e-service is declared once, and its validation, preview, receipt and a
JSON Schema for client apps all come from that declaration.

Answers are ``{step_id: {field_name: value}}``; a row field's value is a list of
``{column: value}``. Field paths in errors are ``answers.<step>.<field>[.<row>.<column>]``.
Validation messages are in Swedish: citizens read them.
"""
from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Literal

from ....domain.bounds import ascii_digits, check_date, check_line, check_text
from ....domain.calendar import MONTHS_SV
from ....domain.errors import FieldError
from ....domain.personnummer import JSON_SCHEMA_PATTERN, InvalidPersonnummer, Personnummer
from ....domain.phone import InvalidEmail, InvalidPhone, email_error, mobile_error, normalize_email, normalize_mobile

Kind = Literal["text", "textarea", "choice", "multichoice", "date", "integer", "decimal", "boolean",
               "personnummer", "email", "phone", "year", "month", "rows"]

REQUIRED = "Obligatoriskt fält"
# What a client app may let through; the server normalises to +46… and names what is wrong.
PHONE_INPUT_PATTERN = r"^[+0-9][0-9 ()\-./]{6,22}$"
MAX_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class RuleContext:
    """What cross-field rules may know besides the answers: who is logged in and today's date
    (Stockholm). Rules that need a value the context lacks skip that check."""

    personnummer: str | None = None
    today: date | None = None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class When:
    """A condition on another field of the same step: true when its value is in ``values``
    (or, with ``negate``, not in them). For booleans use ``values=(True,)``."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False

    def holds(self, step_answers: dict[str, Any]) -> bool:
        present = step_answers.get(self.field) in self.values
        return present != self.negate


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    required_when: When | None = None  # required only when the condition holds
    must_be_true: bool = False  # a confirmation checkbox
    choices: tuple[Choice, ...] = ()
    help: str = ""
    max_length: int = 4000
    minimum: float | None = None
    maximum: float | None = None
    columns: tuple["Field", ...] = ()  # for kind="rows"
    max_rows: int = 100
    prefill: str | None = None  # a profile attribute to prefill from (first_name, email, …)

    def is_required(self, step_answers: dict[str, Any]) -> bool:
        if self.required:
            return True
        return self.required_when is not None and self.required_when.holds(step_answers)

    def label_of(self, value: Any) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return ""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[Field, ...]
    help: str = ""


@dataclass(frozen=True)
class Computed:
    """A value the server derives from the answers (never trusted from the client)."""

    name: str
    label: str
    compute: Callable[[dict[str, dict[str, Any]]], Any]


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: str
    description: str
    category: str  # what the case worker's inbox shows
    steps: tuple[Step, ...]
    computed: tuple[Computed, ...] = ()
    # Cross-field rules beyond one field: answers -> errors.
    rules: tuple[Callable[[dict[str, dict[str, Any]], Any], list[FieldError]], ...] = ()
    # Who the case concerns (the owner): a dotted path into the answers, or None for the
    # person who submits.
    owner_field: str | None = None
    # The notification choice: paths of (email, phone, notify_email, notify_sms).
    notify_fields: tuple[str, str, str, str] | None = None
    # Category resolver (e.g. the chosen insats); defaults to ``category``.
    category_of: Callable[[dict[str, dict[str, Any]]], str] | None = None
    # Whom the e-service is for, from Insats' data (``open_to``): "citizen" and "relative" are any
    # person, "contact_person" a person with an assignment as contact person.
    roles: tuple[str, ...] = ("citizen", "relative", "contact_person")
    after_submit: tuple[str, ...] = ()  # follow-ups offered on the receipt ("report_another")
    own_behalf_only: bool = False  # only the person concerned may file it (no relative acting for them)
    # An application (ansökan) is taken in and decided on; a report is not.
    is_application: bool = False
    # The insatser applied for, from the answers (what a decision may be about).
    applied_for: Callable[[dict[str, dict[str, Any]]], tuple[str, frozenset[str]]] | None = None

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def open_to(self, *, contact_person: bool) -> bool:
        """May a person use this e-service? Who someone is comes from Insats' own data, never from a
        role claim: anyone logged in with a valid personnummer is a citizen (acting for someone else
        follows from an approval, resolved apart), and a contact person is someone with an
        assignment as contact person. ``roles`` names which of these the e-service is for."""
        held = {"citizen", "relative"} | ({"contact_person"} if contact_person else set())
        return bool(held & set(self.roles))

    @property
    def for_contact_persons_only(self) -> bool:
        """Only a person with an assignment as contact person may use it (the reports)."""
        return not self.open_to(contact_person=False)

    def category_for(self, answers: dict[str, dict[str, Any]]) -> str:
        return self.category_of(answers) if self.category_of else self.category


# -- validation -------------------------------------------------------------------------

def _coerce(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    """Returns the normalized value and any errors for one filled-in field."""
    try:
        return KINDS[f.kind].coerce(f, value, path)
    except _Refused as refused:
        return value, [FieldError(path, refused.detail)]


class _Refused(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


def _text(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not isinstance(value, str):
        raise _Refused("Ska vara text")
    value = value.strip()
    if len(value) > f.max_length:
        raise _Refused(f"Högst {f.max_length} tecken")
    try:
        (check_text if f.kind == "textarea" else check_line)(value)
    except ValueError:
        raise _Refused("Texten innehåller otillåtna tecken (styrtecken eller radbrytningar)") from None
    return value, []


def _email(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    value, _ = _text(f, value, path)
    try:
        return (normalize_email(value) if value else value), []
    except InvalidEmail:
        raise _Refused(email_error(None, label=f.label)) from None


def _phone(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    value, _ = _text(f, value, path)
    try:
        return (normalize_mobile(value) if value else value), []  # stored as +46…, the form SMS goes to
    except InvalidPhone:
        raise _Refused(mobile_error(None, label=f.label)) from None


def _boolean(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not isinstance(value, bool):
        raise _Refused("Ska vara ja eller nej")
    return value, []


def _choice(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not any(c.value == value for c in f.choices):
        raise _Refused("Välj ett av alternativen")
    return value, []


def _multichoice(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not isinstance(value, list) or not value:
        raise _Refused("Välj minst ett alternativ")
    if len(value) > len(f.choices):
        raise _Refused(f"Välj högst {len(f.choices)} alternativ")
    if any(not any(c.value == v for c in f.choices) for v in value):
        raise _Refused("Välj bland alternativen")
    return list(dict.fromkeys(value)), []


def _date(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    try:
        if not isinstance(value, str) or not value.isascii():
            raise ValueError(value)
        return check_date(date.fromisoformat(value)).isoformat(), []
    except ValueError:
        raise _Refused("Ange ett datum (ÅÅÅÅ-MM-DD) mellan år 1900 och 2100") from None


def _integer_bounds(f: Field) -> tuple[int | float | None, int | float | None]:
    return {"month": (1, 12), "year": (2000, 2100)}.get(f.kind, (f.minimum, f.maximum))


def _integer(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and ascii_digits(value.strip()) and len(value.strip()) <= 9:
            value = int(value.strip())
        else:
            raise _Refused("Ange ett heltal")
    lo, hi = _integer_bounds(f)
    if lo is not None and value < lo or hi is not None and value > hi:
        raise _Refused(f"Ange ett värde mellan {lo} och {hi}")
    return value, []


def _decimal(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if isinstance(value, str) and (not value.isascii() or len(value) > 30):
        raise _Refused("Ange ett tal")  # Decimal() would also read other scripts' digits
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Refused("Ange ett tal")
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise _Refused("Ange ett tal") from None
    if not number.is_finite():
        raise _Refused("Ange ett tal")
    if f.minimum is not None and number < Decimal(str(f.minimum)) or \
            f.maximum is not None and number > Decimal(str(f.maximum)):
        raise _Refused(f"Ange ett värde mellan {f.minimum:g} och {f.maximum:g}")
    return float(number), []


def _personnummer(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    try:
        return str(Personnummer(value)), []
    except (InvalidPersonnummer, TypeError):
        raise _Refused("Ange ett giltigt personnummer (ÅÅÅÅMMDDXXXX)") from None


def _rows(f: Field, value: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not isinstance(value, list):
        raise _Refused("Ska vara en lista med rader")
    if len(value) > f.max_rows:
        raise _Refused(f"Högst {f.max_rows} rader")
    rows, errors = [], []
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            errors.append(FieldError(f"{path}.{i}", "Ska vara en rad"))
            continue
        normalized, row_errors = _validate_fields(f.columns, row, f"{path}.{i}", complete=True)
        rows.append(normalized)
        errors.extend(row_errors)
    return rows, errors


def _key_path(path: str, key: Any) -> str:
    """The path of a key the client sent; a key that is not a plain name is not echoed back."""
    return f"{path}.{key}" if isinstance(key, str) and MAX_KEY.match(key) else path


def is_empty(value: Any) -> bool:
    """Not filled in: ``null``, an empty or blank string, an empty list."""
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


_empty = is_empty


def _validate_fields(fields: tuple[Field, ...], answers: dict[str, Any], path: str, *,
                     complete: bool) -> tuple[dict[str, Any], list[FieldError]]:
    """Validates what is filled in; with ``complete`` also that required fields are there."""
    known = {f.name for f in fields}
    errors = [FieldError(_key_path(path, k), "Okänt fält") for k in answers if k not in known]
    out: dict[str, Any] = {}
    for f in fields:
        value = answers.get(f.name)
        if _empty(value) or (f.kind == "boolean" and value is False and f.must_be_true):
            if complete and (f.is_required(answers) or f.must_be_true):
                errors.append(FieldError(f"{path}.{f.name}", "Du måste bekräfta" if f.must_be_true else REQUIRED))
            if not _empty(value):
                out[f.name] = value
            continue
        normalized, field_errors = _coerce(f, value, f"{path}.{f.name}")
        errors.extend(field_errors)
        out[f.name] = normalized
    return out, errors


def validate_step(form: FormDefinition, step_id: str, answers: dict[str, Any], *,
                  complete: bool) -> tuple[dict[str, Any], list[FieldError]]:
    step = form.step(step_id)
    if step is None:
        return {}, [FieldError(f"answers.{step_id}", "Okänt steg")]
    if not isinstance(answers, dict):
        return {}, [FieldError(f"answers.{step_id}", "Ska vara ett objekt")]
    return _validate_fields(step.fields, answers, f"answers.{step_id}", complete=complete)


def validate(form: FormDefinition, answers: dict[str, Any], *, complete: bool,
             context: Any = None) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """Validates all steps. ``complete=False`` (a draft) checks only what is filled in."""
    if not isinstance(answers, dict):
        return {}, [FieldError("answers", "Ska vara ett objekt")]
    errors = [FieldError(_key_path("answers", k), "Okänt steg") for k in answers if form.step(k) is None]
    out: dict[str, dict[str, Any]] = {}
    for step in form.steps:
        normalized, step_errors = validate_step(form, step.id, answers.get(step.id) or {}, complete=complete)
        out[step.id] = normalized
        errors.extend(step_errors)
    if complete:
        # Rules run beside the fields' own errors, so a draft lists every problem at once; a
        # rule skips what is missing or malformed, and a field already in error is not repeated.
        flagged = {e.field for e in errors}
        for rule in form.rules:
            errors.extend(e for e in rule(out, context) if e.field not in flagged)
    return out, errors


def computed_values(form: FormDefinition, answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {c.name: c.compute(answers) for c in form.computed}


# -- one type per number ----------------------------------------------------------------
# Every number in a response is a JSON number: decimals (hours, km, kronor) with a fraction,
# integers (year, month) without. A store may hand them back as Decimal, int or (in cases
# stored before this rule) strings; these put each back in its one type.

def _as(kind: str, value: Any) -> Any:
    number = KINDS[kind].number
    if number is None or isinstance(value, bool) or value is None:
        return value
    try:
        return number(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return value


def _typed_fields(fields: tuple[Field, ...], values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for f in fields:
        if f.name not in out:
            continue
        if f.kind == "rows" and isinstance(out[f.name], list):
            out[f.name] = [_typed_fields(f.columns, r) if isinstance(r, dict) else r for r in out[f.name]]
        else:
            out[f.name] = _as(f.kind, out[f.name])
    return out


def typed_answers(form: FormDefinition, answers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The answers with every number in its field's one type."""
    return {step: _typed_fields(form.step(step).fields, values) if form.step(step) and isinstance(values, dict)
            else values for step, values in answers.items()}


def typed_computed(computed: dict[str, Any]) -> dict[str, Any]:
    """Computed values are decimals (sums, kronor): JSON numbers with a fraction."""
    return {k: _as("decimal", v) for k, v in computed.items()}


def value_at(answers: dict[str, dict[str, Any]], dotted: str) -> Any:
    step, _, name = dotted.partition(".")
    return (answers.get(step) or {}).get(name)


# -- presentation -----------------------------------------------------------------------

def display_value(f: Field, value: Any) -> str:
    if _empty(value):
        return ""
    return KINDS[f.kind].display(f, value)


def _month_name(f: Field, value: Any) -> str:
    return MONTHS_SV[value - 1].capitalize() if isinstance(value, int) and 1 <= value <= 12 else str(value)


def _rows_text(f: Field, value: Any) -> str:
    return "; ".join(", ".join(display_value(c, row.get(c.name)) for c in f.columns if not _empty(row.get(c.name)))
                     for row in value)


def preview(form: FormDefinition, answers: dict[str, Any], errors: list[FieldError]) -> list[dict[str, Any]]:
    """Every step with its fields' labels and display values, and the errors of that step."""
    out = []
    for step in form.steps:
        step_answers = answers.get(step.id) or {}
        prefix = f"answers.{step.id}"
        out.append({
            "step": step.id,
            "title": step.title,
            "change_link": f"#step-{step.id}",
            "fields": [{"name": f.name, "label": f.label, "value": display_value(f, step_answers.get(f.name))}
                       for f in step.fields],
            "errors": [{"field": e.field, "detail": e.detail} for e in errors
                       if e.field == prefix or e.field.startswith(prefix + ".")],
        })
    return out


# -- JSON Schema ------------------------------------------------------------------------

def _field_schema(f: Field) -> dict[str, Any]:
    base: dict[str, Any] = {"title": f.label}
    if f.help:
        base["description"] = f.help
    base.update(KINDS[f.kind].schema(f))
    return base


def _choices_schema(f: Field) -> list[dict[str, Any]]:
    return [{"const": c.value, "title": c.label} for c in f.choices]


def _bounded(schema: dict[str, Any], lo: Any, hi: Any) -> dict[str, Any]:
    return {**schema, **({"minimum": lo} if lo is not None else {}), **({"maximum": hi} if hi is not None else {})}


# -- the kinds of field -----------------------------------------------------------------

@dataclass(frozen=True)
class FieldKind:
    """What one kind of field does: check and normalise an answer, show it, and describe it
    in JSON Schema; ``number`` is the JSON number type its stored values are given back as."""

    coerce: Callable[[Field, Any, str], tuple[Any, list[FieldError]]]
    schema: Callable[[Field], dict[str, Any]]
    display: Callable[[Field, Any], str] = lambda f, value: str(value)
    number: Callable[[Decimal], Any] | None = None


_INTEGER = FieldKind(_integer, lambda f: _bounded({"type": "integer"}, *_integer_bounds(f)), number=int)

KINDS: dict[str, FieldKind] = {
    "text": FieldKind(_text, lambda f: {"type": "string", "maxLength": f.max_length}),
    "textarea": FieldKind(_text, lambda f: {"type": "string", "maxLength": f.max_length}),
    "email": FieldKind(_email, lambda f: {"type": "string", "format": "email"}),
    "phone": FieldKind(_phone, lambda f: {"type": "string", "pattern": PHONE_INPUT_PATTERN}),
    "boolean": FieldKind(_boolean, lambda f: {"type": "boolean", **({"const": True} if f.must_be_true else {})},
                         display=lambda f, value: "Ja" if value else "Nej"),
    "choice": FieldKind(_choice, lambda f: {"oneOf": _choices_schema(f)}, display=lambda f, value: f.label_of(value)),
    "multichoice": FieldKind(_multichoice, lambda f: {"type": "array", "uniqueItems": True, "minItems": 1,
                                                      "items": {"oneOf": _choices_schema(f)}},
                             display=lambda f, value: ", ".join(f.label_of(v) for v in value)),
    "date": FieldKind(_date, lambda f: {"type": "string", "format": "date"}),
    "integer": _INTEGER,
    "year": _INTEGER,
    "month": FieldKind(_integer, _INTEGER.schema, display=_month_name, number=int),
    "decimal": FieldKind(_decimal, lambda f: _bounded({"type": "number"}, f.minimum, f.maximum), number=float),
    "personnummer": FieldKind(_personnummer, lambda f: {"type": "string", "pattern": JSON_SCHEMA_PATTERN},
                              display=lambda f, value: f"{str(value)[:8]}-{str(value)[8:]}"),
    "rows": FieldKind(_rows, lambda f: {"type": "array", "maxItems": f.max_rows, "items": _object_schema(f.columns)},
                      display=_rows_text),
}
assert set(KINDS) == set(typing.get_args(Kind)), "every kind of field has one entry"


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required or f.must_be_true],
    }
    conditional = []
    for f in fields:
        if f.required_when is not None:
            cond = {"properties": {f.required_when.field: {"enum": list(f.required_when.values)}},
                    "required": [f.required_when.field]}
            conditional.append({"if": {"not": cond} if f.required_when.negate else cond,
                                "then": {"required": [f.name]}})
    if conditional:
        schema["allOf"] = conditional
    return schema


def json_schema(form: FormDefinition) -> dict[str, Any]:
    """JSON Schema (2020-12) of a complete submission's answers, for client apps."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:insats:form:{form.id}",
        "title": form.title,
        "type": "object",
        "additionalProperties": False,
        "properties": {s.id: {**_object_schema(s.fields), "title": s.title} for s in form.steps},
        "required": [s.id for s in form.steps],
    }


def draft_answers_schema(form: FormDefinition) -> dict[str, Any]:
    """The answers a draft of this form may hold: the submission's schema with nothing required
    yet (a draft is saved step by step; what is missing is listed, not refused)."""
    def loosen(node: Any, names: bool = False) -> Any:
        if isinstance(node, list):
            return [loosen(v) for v in node]
        if not isinstance(node, dict):
            return node
        if names:  # a "properties" map: its keys are field names, not keywords
            return {k: loosen(v) for k, v in node.items()}
        return {k: loosen(v, names=k == "properties") for k, v in node.items()
                if k not in ("required", "allOf", "$schema", "$id")}

    return loosen(json_schema(form))


def describe(form: FormDefinition) -> dict[str, Any]:
    """The declaration as data for clients: steps, fields, labels, help, choices, conditions."""
    def field_dict(f: Field) -> dict[str, Any]:
        d: dict[str, Any] = {"name": f.name, "label": f.label, "kind": f.kind, "required": f.required}
        if f.required_when:
            d["required_when"] = {"field": f.required_when.field, "values": list(f.required_when.values),
                                  "negate": f.required_when.negate}
        if f.must_be_true:
            d["must_be_true"] = True
        if f.help:
            d["help"] = f.help
        if f.choices:
            d["choices"] = [{"value": c.value, "label": c.label} for c in f.choices]
        if f.columns:
            d["columns"] = [field_dict(c) for c in f.columns]
        if f.prefill:
            d["prefill"] = f.prefill
        return d

    return {
        "id": form.id, "title": form.title, "description": form.description, "category": form.category,
        "roles": list(form.roles), "own_behalf_only": form.own_behalf_only,
        "steps": [{"id": s.id, "title": s.title, "help": s.help, "fields": [field_dict(f) for f in s.fields]}
                  for s in form.steps],
        "computed": [{"name": c.name, "label": c.label} for c in form.computed],
        "after_submit": list(form.after_submit),
        "schema": json_schema(form),
    }
