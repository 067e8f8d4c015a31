"""The absence kinds: one list that visits, the event, reports and billing all take."""
import pytest
from pydantic import TypeAdapter, ValidationError

from services.billing.domain.model import AbsenceFacts
from services.billing.domain.rules import DayRule
from services.contracts.events import AbsenceRegistered
from services.domain.absences import ABSENCE_KINDS
from services.reports.domain.render import ABSENCE_LABELS
from services.visits.domain.model import Absence
from services.visits.schemas import RegisterAbsence

MODELS = [AbsenceRegistered, Absence, RegisterAbsence, AbsenceFacts]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__}.{m.__name__}")
def test_every_model_of_an_absence_takes_exactly_the_shared_kinds(model):
    # GIVEN each model that holds an absence's kind THEN each kind parses and an unknown one does not
    kind = TypeAdapter(model.model_fields["kind"].annotation)
    assert [kind.validate_python(k) for k in ABSENCE_KINDS] == list(ABSENCE_KINDS)
    with pytest.raises(ValidationError):
        kind.validate_python("vacation")


def test_a_billing_rule_pack_names_only_known_kinds_and_reports_label_each():
    assert DayRule(kinds=("hospital",), day_shares=("1",)).kinds == ("hospital",)
    with pytest.raises(ValidationError):
        DayRule(kinds=("hospitl",), day_shares=("1",))
    assert set(ABSENCE_LABELS) == set(ABSENCE_KINDS)
