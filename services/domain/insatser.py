"""The catalogue of insatser: the areas a person applies in, the insatser a decision can be about
(with the law), and the home-care insatser a grant of hemtjänst is broken down into (the staff
app's codes). Codes are stable identifiers (events and other services use them); labels are
Swedish. The e-services' forms and case work import from here."""
from __future__ import annotations

from typing import NamedTuple


class Insats(NamedTuple):
    value: str
    label: str


SOL, LSS, FB = "sol_aldre", "lss", "forsorjningsstod"  # the areas of an application

SOL_INSATSER = (
    Insats("hemtjanst", "Hemtjänst insatser"),
    Insats("trygghetslarm", "Trygghetslarm"),
    Insats("sarskilt_boende", "Ansökan om särskilt boende"),
)

# Lagen (1993:387) om stöd och service till vissa funktionshindrade, 9 § 1–10.
LSS_INSATSER = (
    Insats("radgivning", "Rådgivning och annat personligt stöd (9 § 1)"),
    Insats("personlig_assistans", "Biträde av personlig assistent eller ekonomiskt stöd till skäliga kostnader "
                                  "för sådant biträde (9 § 2)"),
    Insats("ledsagarservice", "Ledsagarservice (9 § 3)"),
    Insats("kontaktperson", "Biträde av kontaktperson (9 § 4)"),
    Insats("avlosarservice", "Avlösarservice i hemmet (9 § 5)"),
    Insats("korttidsvistelse", "Korttidsvistelse utanför det egna hemmet (9 § 6)"),
    Insats("korttidstillsyn", "Korttidstillsyn för skolungdom över 12 år utanför det egna hemmet (9 § 7)"),
    Insats("boende_barn", "Boende i familjehem eller i bostad med särskild service för barn eller ungdomar "
                          "(9 § 8)"),
    Insats("bostad_vuxna", "Bostad med särskild service för vuxna eller annan särskilt anpassad bostad för vuxna "
                           "(9 § 9)"),
    Insats("daglig_verksamhet", "Daglig verksamhet (9 § 10)"),
)

# The home-care insatser a grant of hemtjänst is broken down into; supervision (tillsyn) is
# registered on its own visit.
HOME_CARE_BREAKDOWN = (
    Insats("personlig_omsorg", "Personlig omsorg"),
    Insats("service", "Serviceinsatser"),
    Insats("morgonhjalp", "Morgonhjälp"),
    Insats("kvallshjalp", "Kvällshjälp"),
    Insats("dusch", "Dusch"),
    Insats("matdistribution", "Matdistribution"),
    Insats("inkop", "Inköp"),
    Insats("ledsagning", "Ledsagning"),
    Insats("tillsyn_vard_omsorg", "Tillsyn vård och omsorg"),
    Insats("tillsyn_service", "Tillsyn service"),
    Insats("tillfallig_vistelse", "Tillfällig vistelse hemtjänst"),
)
HOME_CARE_INSATSER = tuple(i.value for i in HOME_CARE_BREAKDOWN)
