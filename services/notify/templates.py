"""What notifications say. Bodies name no person and carry no case content: at most a case
number, and always the way to read more after logging in with e-ID."""
from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from ..domain.personnummer import mask_text

LOGIN_HINT = "Logga in med e-legitimation på Mina sidor för att läsa mer."
ALLOWED_PARAMS = frozenset({"case_number"})


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


TEMPLATES: dict[str, Template] = {
    "submission.received": Template(
        "Vi har tagit emot ditt ärende",
        "Tack! Vi har tagit emot ditt ärende {case_number}. " + LOGIN_HINT),
    "case.status_changed": Template(
        "Ditt ärende har uppdaterats",
        "Det finns nytt i ditt ärende {case_number}. " + LOGIN_HINT),
    "decision.published": Template(
        "Du har fått ett beslut",
        "Det finns ett nytt beslut i ditt ärende {case_number}. " + LOGIN_HINT),
    "message.sent": Template(
        "Du har fått ett nytt meddelande",
        "Du har fått ett nytt meddelande från socialtjänsten. " + LOGIN_HINT),
    "draft.expiring": Template(
        "Ditt sparade utkast tas snart bort",
        "Ett utkast som du har sparat tas bort om några dagar om du inte skickar in det. " + LOGIN_HINT),
}


def render(template_id: str, params: dict[str, str]) -> tuple[str, str]:
    template = TEMPLATES[template_id]
    names = {name for _, name, _, _ in Formatter().parse(template.body) if name}
    unknown = names - ALLOWED_PARAMS
    assert not unknown, f"template {template_id} uses parameters that may carry personal data: {unknown}"
    values = {name: mask_text(str(params.get(name, ""))) for name in names}
    return template.subject, template.body.format(**values)
