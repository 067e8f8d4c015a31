"""GIVEN each app's /openapi.json WHEN validated as the version it declares THEN it is valid,
and it documents what the app really answers (303, 413, 415, 503, problem+json), with the
e-services' answers typed per form."""
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

HTTP_APPS = ["eservices", "visits", "reports", "billing", "identity"]


@pytest.fixture(scope="module")
def documents(app_client):
    return {name: app_client(name).get("/openapi.json").json for name in HTTP_APPS}


@pytest.mark.parametrize("name", HTTP_APPS)
def test_the_document_is_a_valid_openapi_3_1_document(documents, name):
    doc = documents[name]
    assert doc["openapi"] == "3.1.0"
    errors = [e.message for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []


@pytest.mark.parametrize("name", HTTP_APPS)
def test_every_ref_resolves(documents, name):
    doc = documents[name]
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    missing = {r for r in refs if r.removeprefix("#/components/schemas/") not in doc["components"]["schemas"]}
    assert not missing


@pytest.mark.parametrize("name", HTTP_APPS)
def test_protected_operations_document_401_403_503_and_bodies_413_415(documents, name):
    for path, methods in documents[name]["paths"].items():
        for method, op in methods.items():
            codes = set(op["responses"])
            if op.get("security"):
                assert {"401", "403", "503"} <= codes, (path, method)
            if "requestBody" in op:
                assert {"413", "415", "422"} <= codes, (path, method)
                assert op["responses"]["415"]["content"].keys() == {"application/problem+json"}


def test_file_downloads_document_the_303(documents):
    paths = documents["eservices"]["paths"]
    assert "303" in paths["/cases/{case_id}/documents/{document_id}"]["get"]["responses"]
    attachment = [p for p in paths if p.startswith("/my/messages/") and p.endswith("{attachment_id}")]
    assert attachment and "303" in paths[attachment[0]]["get"]["responses"]


def test_form_answers_are_typed_per_form(documents):
    from services.eservices.domain.forms import registry

    schemas = documents["eservices"]["components"]["schemas"]
    start = schemas["StartDraft"]["properties"]["answers"]
    assert start["allOf"] == [{"$ref": "#/components/schemas/FormAnswers"}]
    union = {s["$ref"] for s in schemas["FormAnswers"]["anyOf"]}
    assert union == {f"#/components/schemas/FormAnswers_{form_id}" for form_id in registry()}
    monthly = schemas["FormAnswers_contact-monthly-report"]
    assert monthly["additionalProperties"] is False
    assert monthly["properties"]["om_dig"]["properties"]["personnummer"]["pattern"].startswith("^([0-9]{2})")
