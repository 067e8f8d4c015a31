"""Månadsrapport som kontaktperson (Skellefteå's form): the four steps' data, every field
and its rules. Steps 3 (förhandsgranska) and 4 (skicka in) are the engine's preview and submit."""
from __future__ import annotations

from .common import (NOTIFY_FIELDS, about_you_step, channels_have_addresses, period_has_begun,
                     person_is_the_caller)
from .engine import Choice, Field, FormDefinition, Step, When

JA_ALLA, NEJ_NAGRA, NEJ = "ja_alla", "nej_nagra", "nej"


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
        about_you_step(help_text="Kontaktuppgifter till dig som tar emot ersättningen."),
    ),
    rules=(person_is_the_caller, channels_have_addresses, period_has_begun("rapportering")),
    notify_fields=NOTIFY_FIELDS,
    after_submit=("report_another",),
)
