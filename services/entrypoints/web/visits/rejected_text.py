"""Rejected events and manual receipts in plain Swedish: what went wrong and what to do. The use
cases give their reasons in English (the API's words); a reason not recognised here is shown with
a general sentence, never dropped."""
from __future__ import annotations

MANUAL_REASONS = {"technical_fault": "Tekniskt fel: taggen eller låset gick inte att använda",
                  "started_outside_home": "Besöket började utanför hemmet",
                  "ended_outside_home": "Besöket slutade utanför hemmet"}

CORRECT = "Rätta händelsen i appen: den nya händelsen ersätter den avvisade."
# (words in the reason, what happened, what to do)
_KNOWN: list[tuple[tuple[str, ...], str, str]] = [
    (("does not belong to the provider",), "Du fanns inte i utförarens personalregister när händelsen skickades.",
     "Be samordnaren lägga till dig i personalregistret och skicka sedan händelsen igen."),
    (("is registered to another provider",), "Taggen eller låset tillhör en annan utförare.",
     "Kontrollera att du läste rätt tagg eller lås. " + CORRECT),
    (("not registered to this client",), "Taggen eller låset är inte kopplat till den här klienten.",
     "Kontrollera att du var hos rätt klient. Säg till samordnaren om taggen sitter hos fel klient. " + CORRECT),
    (("is not registered",), "Taggen eller låset finns inte i registret.",
     "Säg till samordnaren, som registrerar och kopplar taggen. " + CORRECT),
    ((", not ",), "Enheten är av fel slag för kvitteringen (en tagg lästes som lås eller tvärtom).", CORRECT),
    (("in the future",), "Telefonens klocka gick mer än fem minuter före.",
     "Ställ telefonens klocka rätt och skicka händelsen igen."),
    (("is locked",), "Månaden är låst: spärrdatum har passerat.",
     "Inget kan ändras för månaden. Tala med samordnaren."),
    (("is approved", "is edited"), "Besöket händelsen hör till är redan godkänt eller ändrat.",
     "Be samordnaren ångra godkännandet eller ändra besöket i stället."),
    (("no arrival",), "En avgång utan en ankomst före den.",
     "Vänta tills ankomsten har kommit fram, eller rätta händelsen i appen."),
    (("supervision", "tillsyn", "outside"), "Besöket blandar insatser som inte registreras tillsammans "
     "(tillsyn med andra insatser, eller i hemmet med utanför hemmet).", CORRECT),
    (("outside 1900", "device time"), "Händelsens tid gick inte att använda.", CORRECT),
]
_BY_ORIGIN = {"composition": ("Besöket blandar insatser som inte registreras tillsammans.", CORRECT),
              "orphan": ("En avgång utan en ankomst före den.", "Vänta tills ankomsten har kommit fram, eller "
                                                               "rätta händelsen i appen."),
              "unprocessable": ("Händelsen kunde inte behandlas.", CORRECT)}


def reason_sv(reason: str, origin: str = "checks") -> tuple[str, str]:
    """(what happened, what to do), in Swedish."""
    for words, happened, todo in _KNOWN:
        if any(w in reason for w in words):
            return happened, todo
    return _BY_ORIGIN.get(origin, ("Händelsen avvisades.", CORRECT))
