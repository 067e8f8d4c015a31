"""Månadsrapport som kontaktperson (seed 001, Skellefteå): the four steps' data, every field
and its rules. Steps 3 (förhandsgranska) and 4 (skicka in) are the engine's preview and submit."""
from __future__ import annotations

from typing import Any

from ...domain.errors import FieldError
from .engine import Choice, Field, FormDefinition, Step, When

JA_ALLA, NEJ_NAGRA, NEJ = "ja_alla", "nej_nagra", "nej"


def _reporter_is_the_caller(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    # The reporter receives the fee: it is the logged-in contact person, not anyone else.
    caller = getattr(context, "personnummer", None)
    given = (answers.get("om_dig") or {}).get("personnummer")
    if caller is not None and given != str(caller):
        return [FieldError("answers.om_dig.personnummer", "Personnumret ska vara ditt eget")]
    return []


def _channels_have_addresses(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    me = answers.get("om_dig") or {}
    errors = []
    if me.get("notify_email") and not me.get("email"):
        errors.append(FieldError("answers.om_dig.email", "Ange e-postadress för notifiering via e-post"))
    if me.get("notify_sms") and not me.get("mobile"):
        errors.append(FieldError("answers.om_dig.mobile", "Ange mobilnummer för notifiering via SMS"))
    return errors


FORM = FormDefinition(
    id="contact-monthly-report",
    title="Skicka in månadsrapport som kontaktperson",
    description=("I den här tjänsten kan du som är kontaktperson skicka in din månadsrapport. Du berättar vem du "
                 "är, vilken månad rapporten gäller och vem du är kontaktperson till."),
    category="Månadsrapport kontaktperson",
    roles=("contact_person",),
    steps=(
        Step("rapportering", "Rapportering", (
            Field("client_first_name", "Förnamn", required=True,
                  help="Förnamn på personen du är kontaktperson för", max_length=100),
            Field("client_last_name", "Efternamn", required=True,
                  help="Efternamn på personen du är kontaktperson för", max_length=100),
            Field("year", "År", kind="year", required=True),
            Field("month", "Månad", kind="month", required=True),
            Field("performed_all", "Jag har utfört alla tillfällen enligt överenskommelsen", kind="choice",
                  required=True, choices=(Choice(JA_ALLA, "Ja, alla"),
                                          Choice(NEJ_NAGRA, "Nej, men något eller några av dem"),
                                          Choice(NEJ, "Nej"))),
            Field("activities", "Vilken/vilka aktiviteter har ni utfört?", kind="textarea",
                  required_when=When("performed_all", (NEJ,), negate=True)),
            Field("reason", "Vad är anledningen till att du inte har utfört alla tillfällen enligt "
                            "överenskommelsen?", kind="textarea",
                  required_when=When("performed_all", (JA_ALLA,), negate=True)),
            Field("clarification", "Vill du förtydliga något i din månadsrapport?", kind="textarea"),
        ), help="Rapporten gäller en person som du är kontaktperson för."),
        Step("om_dig", "Information om dig", (
            Field("personnummer", "Personnummer (ÅÅÅÅMMDDXXXX)", kind="personnummer", required=True,
                  prefill="personnummer"),
            Field("first_name", "Förnamn", required=True, prefill="first_name", max_length=100),
            Field("last_name", "Efternamn", required=True, prefill="last_name", max_length=100),
            Field("email", "E-postadress", kind="email", prefill="email"),
            Field("mobile", "Mobiltelefon", kind="phone", prefill="mobile"),
            Field("notify_email", "Jag vill bli notifierad via e-post", kind="boolean", prefill="notify_email"),
            Field("notify_sms", "Jag vill bli notifierad via SMS", kind="boolean", prefill="notify_sms"),
            Field("confirm", "Genom att skicka in ärendet bekräftar du att alla uppgifter du har angett är "
                             "riktiga. Jag förstår.", kind="boolean", must_be_true=True),
        ), help="Kontaktuppgifter till dig som tar emot ersättningen."),
    ),
    rules=(_reporter_is_the_caller, _channels_have_addresses),
    notify_fields=("om_dig.email", "om_dig.mobile", "om_dig.notify_email", "om_dig.notify_sms"),
    after_submit=("report_another",),
)
