"""The fuzz harness itself can fail: the checks it runs flag an answer that breaks its schema,
an undocumented status and a 5xx; and it finds every date it must push to the calendar's ends."""
import pytest
import requests

from tests.fuzz.test_fuzz_apis import calendar_fields

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {"/things": {"post": {
        "parameters": [{"name": "from", "in": "query", "required": False,
                        "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}}],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}}}}}},
    "components": {"schemas": {"Body": {"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "name": {"type": "string"},
        "on": {"allOf": [{"$ref": "#/components/schemas/Day"}]}}},
        "Day": {"type": "string", "format": "date"}}},
}


def answer(status: int, body: bytes):
    from schemathesis.core.transport import Response

    return Response(status_code=status, headers={"content-type": ["application/json"]}, content=body,
                    request=requests.Request("POST", "http://t/things", json={}).prepare(), elapsed=0.0,
                    message="", encoding="utf-8", http_version="1.1", verify=True)


@pytest.mark.parametrize("status,body,flagged", [
    (200, b'{"n": 1}', set()),
    (200, b'{"n": "one"}', {"JsonSchemaError"}),
    (201, b'{"n": 1}', {"UndefinedStatusCode"}),
    (500, b'{"n": 1}', {"ServerError"}),
])
def test_the_checks_flag_what_breaks_the_document(status, body, flagged):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    operation = schemathesis.openapi.from_dict(DOC)["/things"]["POST"]
    case = operation.Case(body={})
    try:
        case.validate_response(answer(status, body), checks=[not_a_server_error, status_code_conformance,
                                                             content_type_conformance, response_schema_conformance])
        found = set()
    except FailureGroup as group:
        found = {type(f).__name__ for f in group.exceptions}
    assert flagged <= found
    assert bool(found) == bool(flagged), found


def test_every_date_in_the_query_and_the_body_is_found():
    assert sorted(calendar_fields(DOC, "/things", "POST")) == [
        ("body", "at", "date-time"), ("body", "on", "date"), ("query", "from", "date")]
