"""Pieces several e-services share: the reporter/applicant step and its rules."""
from __future__ import annotations

from datetime import date
from typing import Any

from ....domain.errors import FieldError
from .engine import Field, Step

# Not a form: the registry skips modules without FORM.


def about_you_step(*, with_address: bool = False, help_text: str = "") -> Step:
    address = (
        Field("street", "Gatuadress", prefill="street", max_length=200),
        Field("postal_code", "Postnummer", prefill="postal_code", max_length=10),
        Field("city", "Ort", prefill="city", max_length=100),
    ) if with_address else ()
    return Step("om_dig", "Information om dig", (
        Field("personnummer", "Personnummer (ÅÅÅÅMMDDXXXX)", kind="personnummer", required=True,
              prefill="personnummer"),
        Field("first_name", "Förnamn", required=True, prefill="first_name", max_length=100),
        Field("last_name", "Efternamn", required=True, prefill="last_name", max_length=100),
        *address,
        Field("email", "E-postadress", kind="email", prefill="email"),
        Field("mobile", "Mobiltelefon", kind="phone", prefill="mobile"),
        Field("notify_email", "Jag vill bli notifierad via e-post", kind="boolean", prefill="notify_email"),
        Field("notify_sms", "Jag vill bli notifierad via SMS", kind="boolean", prefill="notify_sms"),
        Field("confirm", "Genom att skicka in ärendet bekräftar du att alla uppgifter du har angett är "
                         "riktiga. Jag förstår.", kind="boolean", must_be_true=True),
    ), help=help_text)


NOTIFY_FIELDS = ("om_dig.email", "om_dig.mobile", "om_dig.notify_email", "om_dig.notify_sms")


def person_is_the_caller(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    """The reporter or applicant is the person logged in with e-ID, not anyone else."""
    caller = getattr(context, "personnummer", None)
    given = (answers.get("om_dig") or {}).get("personnummer")
    if caller is not None and given and given != str(caller):
        return [FieldError("answers.om_dig.personnummer", "Personnumret ska vara ditt eget")]
    return []


def channels_have_addresses(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    me = answers.get("om_dig") or {}
    errors = []
    if me.get("notify_email") and not me.get("email"):
        errors.append(FieldError("answers.om_dig.email", "Ange e-postadress för notifiering via e-post"))
    if me.get("notify_sms") and not me.get("mobile"):
        errors.append(FieldError("answers.om_dig.mobile", "Ange mobilnummer för notifiering via SMS"))
    return errors


def reported_period(step: dict[str, Any]) -> tuple[int, int] | None:
    """The (year, month) a report covers, or None while either is missing or malformed."""
    year, month = step.get("year"), step.get("month")
    if isinstance(year, int) and isinstance(month, int) and not isinstance(year, bool) and 1 <= month <= 12:
        return year, month
    return None


def period_has_begun(step_id: str) -> Any:
    """A report covers a month that has begun: the current month or an earlier one (a contact
    person may report the current month before it ends), never a month still to come."""
    def rule(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
        today: date | None = getattr(context, "today", None)
        period = reported_period(answers.get(step_id) or {})
        if today is None or period is None or period <= (today.year, today.month):
            return []
        field = "year" if period[0] > today.year else "month"
        return [FieldError(f"answers.{step_id}.{field}", "Rapporten kan gälla innevarande eller en tidigare "
                                                        "månad, inte en månad som inte har börjat")]
    return rule
