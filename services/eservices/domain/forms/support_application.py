"""Ansökan om stöd: SoL elderly care, LSS § 9 insatser, or income support, with
a required description of the need. Only the person who will receive the support may apply;
being registered in the municipality is not required."""
from __future__ import annotations

from typing import Any

from ....domain import insatser as catalogue
from ....domain.errors import FieldError
from ....domain.insatser import FB, LSS, SOL
from .common import NOTIFY_FIELDS, about_you_step, channels_have_addresses, person_is_the_caller
from .engine import Choice, Field, FormDefinition, Step, When

# The catalogue's insatser as the form's choices.
SOL_INSATSER = tuple(Choice(*i) for i in catalogue.SOL_INSATSER)
LSS_INSATSER = tuple(Choice(*i) for i in catalogue.LSS_INSATSER)


def _label(choices: tuple[Choice, ...], value: str) -> str:
    return next((c.label for c in choices if c.value == value), value)


def category_of(answers: dict[str, dict[str, Any]]) -> str:
    step = answers.get("ansokan") or {}
    area = step.get("area")
    if area == SOL:
        return _label(SOL_INSATSER, step.get("sol_insats", ""))
    if area == LSS:
        return "LSS: " + ", ".join(_label(LSS_INSATSER, v).split(" (")[0] for v in step.get("lss_insatser") or [])
    return "Försörjningsstöd"


def applied_for(answers: dict[str, dict[str, Any]]) -> tuple[str, frozenset[str]]:
    """The area chosen and the insatser applied for in it."""
    step = answers.get("ansokan") or {}
    area = step.get("area") or ""
    if area == SOL:
        return area, frozenset({step["sol_insats"]}) if step.get("sol_insats") else frozenset()
    if area == LSS:
        return area, frozenset(step.get("lss_insatser") or ())
    return area, frozenset({FB}) if area == FB else frozenset()


def _only_the_chosen_law(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    step = answers.get("ansokan") or {}
    errors = []
    if step.get("area") != SOL and step.get("sol_insats"):
        errors.append(FieldError("answers.ansokan.sol_insats", "Gäller bara äldreomsorg enligt SoL"))
    if step.get("area") != LSS and step.get("lss_insatser"):
        errors.append(FieldError("answers.ansokan.lss_insatser", "Gäller bara ansökan enligt LSS"))
    return errors


FORM = FormDefinition(
    id="support-application",
    title="Ansökan om stöd",
    description=("Ansök om stöd enligt socialtjänstlagen (äldreomsorg), LSS eller om försörjningsstöd. Välj insats och "
                 "beskriv ditt behov. Ansökan görs av den som ska ha insatsen; du behöver inte vara folkbokförd i "
                 "kommunen."),
    category="Ansökan om stöd",
    roles=("citizen", "relative", "contact_person"),
    steps=(
        Step("ansokan", "Ansökan", (
            Field("area", "Vad vill du ansöka om?", kind="choice", required=True, choices=(
                Choice(SOL, "Stöd till äldre enligt socialtjänstlagen (SoL)"),
                Choice(LSS, "Stöd enligt LSS"),
                Choice(FB, "Försörjningsstöd"),
            )),
            Field("sol_insats", "Insats", kind="choice", choices=SOL_INSATSER, required_when=When("area", (SOL,))),
            Field("lss_insatser", "Insatser enligt LSS (en eller flera)", kind="multichoice", choices=LSS_INSATSER,
                  required_when=When("area", (LSS,))),
            Field("need", "Beskriv ditt behov och vilket stöd du vill ha", kind="textarea", required=True,
                  max_length=4000),
        )),
        about_you_step(with_address=True, help_text="Dina personuppgifter hämtas från folkbokföringen."),
    ),
    rules=(person_is_the_caller, channels_have_addresses, _only_the_chosen_law),
    notify_fields=NOTIFY_FIELDS,
    category_of=category_of,
    own_behalf_only=True,
    is_application=True,
    applied_for=applied_for,
)
