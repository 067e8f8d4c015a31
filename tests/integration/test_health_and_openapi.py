"""GIVEN each app WHEN health and openapi.json are asked THEN 200 and an OpenAPI 3 document."""
import pytest

HTTP_APPS = ["eservices", "visits", "reports", "billing", "identity"]


@pytest.mark.parametrize("name", HTTP_APPS)
def test_health_answers_ok(app_client, name):
    r = app_client(name).get("/health")
    assert r.status == 200
    assert r.json == {"status": "ok", "service": name}


@pytest.mark.parametrize("name", HTTP_APPS)
def test_openapi_is_an_openapi_3_document(app_client, name):
    r = app_client(name).get("/openapi.json")
    assert r.status == 200
    doc = r.json
    assert doc["openapi"].startswith("3.")
    assert "/health" in doc["paths"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert "responses" in op, (path, method)
