"""The insats catalogue is the one source: the application form offers exactly its insatser,
case work decides on them, and the home-care breakdown is the staff app's list of codes."""
from services.domain import insatser as catalogue
from services.eservices.casework.domain.catalog import INSATSER
from services.eservices.casework.schemas import HOME_CARE_INSATSER
from services.eservices.domain.forms import get_form


def test_the_application_offers_the_catalogues_insatser():
    fields = {f.name: f for s in get_form("support-application").steps for f in s.fields}
    assert [(c.value, c.label) for c in fields["sol_insats"].choices] == list(catalogue.SOL_INSATSER)
    assert [(c.value, c.label) for c in fields["lss_insatser"].choices] == list(catalogue.LSS_INSATSER)


def test_case_work_decides_on_the_catalogues_insatser_and_breaks_home_care_down_by_it():
    assert {i.value for i in catalogue.SOL_INSATSER + catalogue.LSS_INSATSER} <= set(INSATSER)
    assert HOME_CARE_INSATSER == tuple(i.value for i in catalogue.HOME_CARE_BREAKDOWN)


def test_the_staff_apps_codes_are_the_catalogues():
    from services.visits.domain.model import INSATSER as STAFF_APP

    assert dict(catalogue.HOME_CARE_BREAKDOWN) == STAFF_APP
