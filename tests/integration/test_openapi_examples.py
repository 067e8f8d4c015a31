"""GIVEN each app's /openapi.json WHEN every example in it (a schema's `examples`/`example`, a
parameter's or media type's `example`/`examples`) is checked against its own schema with
jsonschema THEN each one validates, as a third-party OpenAPI linter demands; and an example of a
personnummer is one the domain accepts (Luhn check digit included)."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from services.domain.personnummer import JSON_SCHEMA_PATTERN, parse

HTTP_APPS = ["eservices", "visits", "reports", "billing", "identity"]
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties")


@pytest.fixture(scope="module")
def documents(app_client):
    return {name: app_client(name).get("/openapi.json").json for name in HTTP_APPS}


def schema_examples(schema, where):
    """(where, schema, example) for every example of this schema and of every schema inside it."""
    if not isinstance(schema, dict):
        return
    for i, value in enumerate(schema.get("examples") or []):
        yield f"{where}/examples/{i}", schema, value
    if "example" in schema:
        yield f"{where}/example", schema, schema["example"]
    for key in SUBSCHEMA_MAPS:
        for name, sub in (schema.get(key) or {}).items():
            yield from schema_examples(sub, f"{where}/{key}/{name}")
    for key in SUBSCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key) or []):
            yield from schema_examples(sub, f"{where}/{key}/{i}")
    for key in SUBSCHEMA_ONE:
        yield from schema_examples(schema.get(key), f"{where}/{key}")


def object_examples(obj, where):
    """A parameter, header or media type: its schema's examples and its own `example`/`examples`
    (a map of Example Objects, each with a `value`)."""
    schema = obj.get("schema")
    yield from schema_examples(schema, f"{where}/schema")
    if schema is None:
        return
    if "example" in obj:
        yield f"{where}/example", schema, obj["example"]
    for name, example in (obj.get("examples") or {}).items():
        if "value" in example:
            yield f"{where}/examples/{name}", schema, example["value"]


def with_content(obj, where):
    for media, media_obj in (obj.get("content") or {}).items():
        yield from object_examples(media_obj, f"{where}/content/{media}")
    for name, header in (obj.get("headers") or {}).items():
        yield from object_examples(header, f"{where}/headers/{name}")


def every_example(doc):
    components = doc.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield from schema_examples(schema, f"#/components/schemas/{name}")
    for name, param in components.get("parameters", {}).items():
        yield from object_examples(param, f"#/components/parameters/{name}")
    for kind in ("requestBodies", "responses"):
        for name, obj in components.get(kind, {}).items():
            yield from with_content(obj, f"#/components/{kind}/{name}")
    for path, methods in doc.get("paths", {}).items():
        for method, op in methods.items():
            if not isinstance(op, dict):
                continue
            at = f"#/paths/{path}/{method}"
            for i, param in enumerate(op.get("parameters", [])):
                yield from object_examples(param, f"{at}/parameters/{i}")
            if "requestBody" in op:
                yield from with_content(op["requestBody"], f"{at}/requestBody")
            for status, response in op.get("responses", {}).items():
                yield from with_content(response, f"{at}/responses/{status}")


def failures(doc):
    out = []
    for where, schema, example in every_example(doc):
        # the document's components beside the schema, so its $refs resolve
        validator = Draft202012Validator({**schema, "components": doc.get("components", {})})
        out += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    return out


@pytest.mark.parametrize("name", HTTP_APPS)
def test_every_example_validates_against_its_own_schema(documents, name):
    doc = documents[name]
    assert list(every_example(doc)), "the document has examples to check"
    assert failures(doc) == []


def test_the_check_finds_an_example_that_breaks_its_schema():
    """GIVEN examples that break their schemas, in each place a linter looks WHEN checked THEN each is
    reported (the check above cannot pass by looking nowhere)."""
    pnr = {"type": "string", "pattern": JSON_SCHEMA_PATTERN, "examples": ["ÅÅÅÅMMDDNNNN"]}
    doc = {"components": {"schemas": {"Pnr": pnr, "Body": {"type": "object", "properties": {
               "n": {"type": "integer", "example": "ten"}, "p": {"$ref": "#/components/schemas/Pnr"}}}}},
           "paths": {"/x": {"get": {
               "parameters": [{"name": "p", "in": "query", "schema": {"type": "integer"}, "example": "ten"}],
               "responses": {"200": {"content": {"application/json": {
                   "schema": {"$ref": "#/components/schemas/Body"},
                   "examples": {"bad": {"value": {"n": "ten"}}, "good": {"value": {"n": 10}}}}}}}}}}}
    assert sorted(f.split(":")[0] for f in failures(doc)) == [
        "#/components/schemas/Body/properties/n/example",
        "#/components/schemas/Pnr/examples/0",
        "#/paths//x/get/parameters/0/example",
        "#/paths//x/get/responses/200/content/application/json/examples/bad",
    ]


def test_a_personnummer_example_is_a_valid_personnummer(documents):
    """The pattern does not check the date nor the Luhn digit: the domain's parser does."""
    pnr_examples = {example for doc in documents.values() for _, schema, example in every_example(doc)
                    if schema.get("pattern") == JSON_SCHEMA_PATTERN}
    assert pnr_examples
    for example in pnr_examples:
        assert parse(example) == example.replace("-", "")
