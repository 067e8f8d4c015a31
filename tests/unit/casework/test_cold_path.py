"""The e-services Lambda's cold start builds none of case work's requests and views: the routes
name them (``"package.module:Name"``) and each handler imports its use cases when called."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_given_the_eservices_app_when_imported_then_no_case_work_models_or_use_cases_are_loaded():
    folder = ROOT / "eservices_svc"
    code = ("import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import app; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('services.eservices.casework'))))")
    out = subprocess.run([sys.executable, "-c", code, str(folder), str(folder / "vendor")], cwd=folder,
                         capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-north-1",
                              "POWERTOOLS_METRICS_DISABLED": "true"})
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    # the audit record (what a relative's reads are kept as) is the one case-work model at import
    assert loaded <= {"services.eservices.casework", "services.eservices.casework.audit"}, sorted(loaded)


def test_given_a_model_named_by_reference_when_first_used_then_it_is_the_model():
    from services.entrypoints.http import model_of_ref
    from services.eservices.casework.models.assignments import AssignmentView
    from services.eservices.casework.models.intake import IntakeRequest

    assert model_of_ref("services.eservices.casework.models.intake:IntakeRequest") is IntakeRequest
    assert model_of_ref("list[services.eservices.casework.models.assignments:AssignmentView]") == list[AssignmentView]
    assert model_of_ref(IntakeRequest) is IntakeRequest
