"""The e-services Lambda's cold start builds none of case work's requests and views: the routes
name them (``"package.module:Name"``) and each handler imports its use cases when called."""
from tests.support.cold_imports import modules_after_app_import


def test_given_the_eservices_app_when_imported_then_no_case_work_models_or_use_cases_are_loaded():
    loaded = {m for m in modules_after_app_import("eservices") if m.startswith("services.eservices.casework")}
    # the audit record (what a relative's reads are kept as) is the one case-work model at import
    assert loaded <= {"services.eservices.casework", "services.eservices.casework.domain",
                      "services.eservices.casework.domain.audit"}, sorted(loaded)


def test_given_a_model_named_by_reference_when_first_used_then_it_is_the_model():
    from services.entrypoints.http import model_of_ref
    from services.eservices.casework.models.assignments import AssignmentView
    from services.eservices.casework.models.intake import IntakeRequest

    assert model_of_ref("services.eservices.casework.models.intake:IntakeRequest") is IntakeRequest
    assert model_of_ref("list[services.eservices.casework.models.assignments:AssignmentView]") == list[AssignmentView]
    assert model_of_ref(IntakeRequest) is IntakeRequest
