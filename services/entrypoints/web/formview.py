"""A form declaration as pages: posted fields to answers, answers and errors to what a step
page shows. The rules stay in the form engine; this only translates between HTML and answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...domain.errors import FieldError
from ...eservices.domain.forms.engine import MONTHS_SV, Field, FormDefinition, Step, display_value
from .http import Form

ADDRESS_KEYS = ("street", "postal_code", "city")
REGISTER_KEYS = ("personnummer", "first_name", "last_name", *ADDRESS_KEYS)


def field_id(step_id: str, *parts: Any) -> str:
    return "f-" + "-".join([step_id, *map(str, parts)])


def visible(f: Field, step_answers: dict[str, Any]) -> bool:
    """A conditional field is asked once the field it depends on is answered and the condition holds."""
    if f.required_when is None:
        return True
    if step_answers.get(f.required_when.field) in (None, "", []):
        return False
    return f.required_when.holds(step_answers)


def hidden_for(person: Any) -> set[str]:
    """Fields never shown: an address for a person with protected identity."""
    return set(ADDRESS_KEYS) if person is not None and person.protected_identity else set()


def shown_fields(step: Step, person: Any) -> list[Field]:
    hide = hidden_for(person)
    return [f for f in step.fields if not (f.prefill in hide or f.name in hide)]


# -- posted form -> answers ---------------------------------------------------------------

@dataclass
class Posted:
    answers: dict[str, Any]  # what to save (empty rows dropped)
    raw: dict[str, Any]  # what was typed, to show again (rows as lists incl. empty ones)
    row_index: dict[str, list[int]]  # saved row -> row on the page


def _row_count(form: Form, name: str, limit: int) -> int:
    try:
        return max(0, min(int(form.get(f"{name}.count") or 0), limit))
    except ValueError:
        return 0


def from_form(step: Step, form: Form, person: Any = None) -> Posted:
    answers: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    index: dict[str, list[int]] = {}
    for f in shown_fields(step, person):
        if f.kind == "rows":
            rows_raw, rows, where = [], [], []
            for i in range(_row_count(form, f.name, f.max_rows)):
                row = {c.name: form.get(f"{f.name}.{i}.{c.name}").strip() for c in f.columns}
                rows_raw.append(row)
                filled = {k: v for k, v in row.items() if v}
                if filled:
                    rows.append(filled)
                    where.append(i)
            raw[f.name], index[f.name] = rows_raw, where
            answers[f.name] = rows
        elif f.kind == "boolean":
            answers[f.name] = raw[f.name] = form.get(f.name) == "true"
        elif f.kind == "multichoice":
            values = form.getlist(f.name)
            raw[f.name] = values
            if values:
                answers[f.name] = values
        else:
            value = form.get(f.name)
            raw[f.name] = value
            if value.strip():
                answers[f.name] = value
    for f in step.fields:  # answers to questions not asked are not kept
        if not visible(f, answers):
            answers.pop(f.name, None)
    return Posted(answers, raw, index)


def without_bad(step: Step, posted: Posted, errors: list[FieldError]) -> dict[str, Any]:
    """The answers minus the fields (or rows) that did not validate: the rest is saved."""
    keep = {k: (list(v) if isinstance(v, list) else v) for k, v in posted.answers.items()}
    bad_rows: dict[str, set[int]] = {}
    prefix = f"answers.{step.id}."
    for e in errors:
        parts = e.field.removeprefix(prefix).split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            bad_rows.setdefault(parts[0], set()).add(int(parts[1]))
        else:
            keep.pop(parts[0], None)
    for name, rows in bad_rows.items():
        if isinstance(keep.get(name), list):
            keep[name] = [r for i, r in enumerate(keep[name]) if i not in rows]
    return keep


# -- answers and errors -> a step page ----------------------------------------------------

@dataclass
class FieldView:
    field: Field
    id: str
    name: str
    value: Any
    required: bool
    visible: bool
    error: str | None = None
    prefilled: bool = False
    condition: dict[str, Any] | None = None
    rows: list[list["FieldView"]] = field(default_factory=list)
    autofocus_row: int | None = None

    @property
    def kind(self) -> str:
        return self.field.kind

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def hint(self) -> str:
        return self.field.help

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.prefilled:
            ids.append(f"{self.id}-source")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class ErrorLink:
    href: str
    text: str


def _as_text(f: Field, value: Any) -> Any:
    """A stored value as the input shows it."""
    if value is None:
        return [] if f.kind == "multichoice" else ""
    if f.kind == "boolean":
        return bool(value)
    if f.kind == "multichoice":
        return list(value)
    if f.kind == "decimal" and isinstance(value, float):
        return (str(int(value)) if value.is_integer() else str(value)).replace(".", ",")
    return str(value)


def error_map(step: Step, errors: list[FieldError], row_index: dict[str, list[int]] | None = None) -> dict[str, str]:
    """Field errors by the id of the input they belong to."""
    out: dict[str, str] = {}
    prefix = f"answers.{step.id}"
    for e in errors:
        if not (e.field == prefix or e.field.startswith(prefix + ".")):
            continue
        parts = e.field.removeprefix(prefix).strip(".").split(".")
        if len(parts) >= 3 and parts[1].isdigit():
            saved = int(parts[1])
            where = (row_index or {}).get(parts[0])
            row = where[saved] if where and saved < len(where) else saved
            key = field_id(step.id, parts[0], row, parts[2])
        else:
            key = field_id(step.id, parts[0]) if parts[0] else field_id(step.id)
        out.setdefault(key, e.detail)
    return out


def step_view(form: FormDefinition, step: Step, values: dict[str, Any], errors: dict[str, str], *,
              person: Any = None, register_values: dict[str, Any] | None = None, extra_rows: dict[str, int] | None = None,
              focus_row: tuple[str, int] | None = None) -> list[FieldView]:
    """``values`` are the step's answers (stored) or what was typed (``Posted.raw``)."""
    views = []
    register_values = register_values or {}
    for f in shown_fields(step, person):
        fid = field_id(step.id, f.name)
        condition = None
        if f.required_when is not None:
            condition = {"field": f.required_when.field, "values": list(f.required_when.values),
                         "negate": f.required_when.negate}
        view = FieldView(field=f, id=fid, name=f.name, value=_as_text(f, values.get(f.name)),
                         required=f.required or f.must_be_true or f.required_when is not None,
                         visible=visible(f, values), error=errors.get(fid), condition=condition)
        if f.prefill in REGISTER_KEYS and f.prefill in register_values:
            view.prefilled = str(values.get(f.name) or "") == str(register_values[f.prefill])
        if f.kind == "rows":
            rows = list(values.get(f.name) or [])
            rows += [{} for _ in range((extra_rows or {}).get(f.name, 0))]
            for i, row in enumerate(rows):
                view.rows.append([FieldView(field=c, id=field_id(step.id, f.name, i, c.name),
                                            name=f"{f.name}.{i}.{c.name}", value=_as_text(c, row.get(c.name)),
                                            required=c.required, visible=True,
                                            error=errors.get(field_id(step.id, f.name, i, c.name)))
                                  for c in f.columns])
            if focus_row and focus_row[0] == f.name:
                view.autofocus_row = focus_row[1]
        views.append(view)
    return views


def error_links(views: list[FieldView], errors: dict[str, str]) -> list[ErrorLink]:
    """The error summary: one link per bad field, in the page's order."""
    links, seen = [], set()
    for v in views:
        if not v.visible:  # not asked yet: its condition does not hold
            seen.add(v.id)
            continue
        if v.id in errors:
            links.append(ErrorLink(f"#{v.id}", f"{v.label}: {errors[v.id]}"))
            seen.add(v.id)
        for i, row in enumerate(v.rows):
            for c in row:
                if c.id in errors:
                    links.append(ErrorLink(f"#{c.id}", f"{v.label}, rad {i + 1}, {c.label.lower()}: {errors[c.id]}"))
                    seen.add(c.id)
    links += [ErrorLink("#main", text) for key, text in errors.items() if key not in seen]
    return links


def month_choices() -> list[tuple[int, str]]:
    return [(i + 1, m.capitalize()) for i, m in enumerate(MONTHS_SV)]


def summary_rows(form: FormDefinition, answers: dict[str, dict[str, Any]], person: Any = None) -> list[dict[str, Any]]:
    """Preview and receipt: each step's asked questions with their answers (rows one per line)."""
    hide = hidden_for(person)
    out = []
    for step in form.steps:
        step_answers = answers.get(step.id) or {}
        items = []
        for f in step.fields:
            if f.prefill in hide or f.name in hide or not visible(f, step_answers):
                continue
            value = step_answers.get(f.name)
            if f.kind == "rows":
                lines = [", ".join(display_value(c, row.get(c.name)) for c in f.columns if row.get(c.name) not in
                                   (None, "")) for row in value or []]
                items.append({"label": f.label, "lines": lines, "name": f.name})
            else:
                text = display_value(f, value)
                if f.kind == "boolean" and f.must_be_true:
                    text = "Ja, jag bekräftar" if value else ""
                items.append({"label": f.label, "lines": [text] if text else [], "name": f.name})
        out.append({"step": step, "items": items})
    return out
