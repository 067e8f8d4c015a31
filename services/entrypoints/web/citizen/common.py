"""What the citizen pages share: the page title, the person acted for as the register knows
them, their message threads, "Bifoga fil" without JavaScript, whom a relative may act for, and
request models parsed from a posted form."""
from __future__ import annotations

from typing import Any

from ....auth.principal import Principal
from ....domain.calendar import stockholm_date
from ....domain.errors import NotFound, ValidationFailed
from ....eservices.acting_for import Acting
from ....eservices.domain.people import prefill_values
from .. import formview as fv
from ..http import Context


SITE = "Kommunens e-tjänster"


def title(*parts: str, error: bool = False) -> str:
    return ("Fel: " if error else "") + " – ".join([*parts, SITE])


def registered_person(ctx: Context, acting: Acting) -> Any:
    return ctx.deps.register.lookup(str(acting.subject))


def register_values(ctx: Context, acting: Acting) -> dict[str, Any]:
    person = registered_person(ctx, acting)
    if person is None:
        return {}
    values = prefill_values(person, ctx.deps.profiles.get(str(acting.subject)), str(acting.subject))
    return {k: v for k, v in values.items() if k in fv.REGISTER_KEYS}


def upload_context(ctx: Context, target: str, page_path: str, can_write: bool = True) -> dict[str, Any]:
    """"Bifoga fil" without JavaScript; a refused file is named in the error summary."""
    from .attachments import upload_form

    if not can_write:
        return {"upload": None}
    upload = upload_form(ctx, target, page_path)
    errors = [fv.ErrorLink("#n-file", upload["error"])] if upload["error"] else []
    return {"upload": upload, "errors": errors}


def message_threads(ctx: Context, acting: Acting) -> list[Any]:
    from ....eservices.casework.usecases import messages as msg

    try:
        return msg.list_threads(ctx.deps, acting.who, msg.person_sender(ctx.deps, acting.who, acting.acting_for))
    except NotFound:
        return []


def validated(model: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from ...http import field_errors

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise ValidationFailed("invalid", errors=errors) from None


def acting_choices(ctx: Context, me: Principal) -> list[dict[str, str]]:
    """Whom ``me`` may act for today: themselves, and each citizen whose approval is in force."""
    today = stockholm_date(ctx.deps.clock())
    choices = [{"value": "", "label": f"Mig själv ({me.name or 'jag'})"}]
    for a in ctx.deps.approvals.of_relative(str(me.personnummer)):
        if a.active_on(today):
            to = f" till och med {a.valid_to.isoformat()}" if a.valid_to else ""
            choices.append({"value": str(a.citizen), "label": f"{a.citizen_first_name} {a.citizen_last_name}",
                            "hint": f"Godkänt från {a.valid_from.isoformat()}{to}"})
    return choices
