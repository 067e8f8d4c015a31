"""GIVEN each app's OpenAPI document and a token of each role an operation serves
WHEN schemathesis sends it valid and invalid requests (a bounded number per operation and role)
THEN no answer is a 5xx, and every answer has a documented status, content type and schema.

One test per operation and role, so a known bug marks exactly its own check as xfail (naming
the bug), and everything else stays strict. The figures (requests, 5xx, schema violations per
app) are printed at the end of the run and kept in build/fuzz/.
"""
from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz import figures as fuzz_figures  # noqa: E402

pytestmark = pytest.mark.fuzz

HTTP_APPS = ("eservices", "visits", "reports", "billing", "identity")
# Examples per operation, role and mode (valid, invalid). The whole tier stays within a few
# minutes on two cores; raise FUZZ_EXAMPLES for a deeper run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

# Checks that fail today because of a bug someone else owns: (app, METHOD path, role) -> the bug.
# Each one is an xfail naming the bug, never a skip; remove the line with the fix.
KNOWN: dict[tuple[str, str, str], str] = {}


def _documents() -> dict[str, dict]:
    """The documents the apps serve, read in-process at collection (no AWS needed)."""
    from infra.apps import load_app

    docs = {}
    for name in HTTP_APPS:
        module = load_app(name)
        docs[name] = module.app.routes["/openapi.json"]["GET"].view_function()
    return docs


def _cases() -> list:
    from services.auth.policy import POLICY

    params = []
    for app, doc in _documents().items():
        for path, methods in sorted(doc["paths"].items()):
            for method, op in sorted(methods.items()):
                action = op.get("x-insats-action")
                roles = sorted(str(r) for r in POLICY[action]) if action else ["anonymous"]
                for role in roles:
                    key = (app, f"{method.upper()} {path}", role)
                    marks = [pytest.mark.xfail(reason=KNOWN[key], strict=False)] if key in KNOWN else []
                    params.append(pytest.param(app, method.upper(), path, role, marks=marks,
                                               id=f"{app}:{method.upper()} {path}:{role}"))
    return params


# The ends of the calendar: where Python's date arithmetic overflows.
EXTREMES = {"date": ("0001-01-01", "9999-12-31"),
            "date-time": ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")}


def _calendar_kind(schema: dict, components: dict) -> str | None:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if schema.get("format") in EXTREMES:
        return schema["format"]
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        kind = _calendar_kind(option, components)
        if kind:
            return kind
    return None


def calendar_fields(doc: dict, path: str, method: str) -> list[tuple[str, str, str]]:
    """(where, name, date or date-time) of every date in the query and at the top of the body."""
    op = doc["paths"][path][method.lower()]
    components = doc.get("components", {}).get("schemas", {})
    out = [("query", p["name"], kind) for p in op.get("parameters", []) if p["in"] == "query"
           if (kind := _calendar_kind(p["schema"], components))]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        if "$ref" in body:
            body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
        out += [("body", name, kind) for name, prop in body.get("properties", {}).items()
                if (kind := _calendar_kind(prop, components))]
    return out


def _login(base: str, role: str) -> str | None:
    if role == "anonymous":
        return None
    people = json.loads((ROOT / "infra" / "fixtures" / "people.json").read_text(encoding="utf-8"))
    claims = next(({k: v for k, v in login.items() if k != "label"} for login in people["demo_logins"]
                   if login["role"] == role), None)
    if claims is None:  # a role without a demo login: a staff member of the demo provider
        claims = {"role": role, "user_id": f"fuzz-{role}", "provider_id": "prov-omsorg"}
    req = urllib.request.Request(base + "/dev/token", data=json.dumps(claims).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["access_token"]


@pytest.fixture(scope="module")
def fuzz(fuzz_stack):
    import requests
    import schemathesis

    schemas, tokens = {}, {}
    for app in HTTP_APPS:
        with urllib.request.urlopen(f"{fuzz_stack}/{app}/openapi.json", timeout=10) as resp:
            schemas[app] = schemathesis.openapi.from_dict(json.load(resp))
    figures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    session = requests.Session()

    def token(role: str) -> str | None:
        if role not in tokens:
            tokens[role] = _login(fuzz_stack, role)
        return tokens[role]

    from tests.fuzz.seed import seed

    notes: list[str] = []
    ids = seed(fuzz_stack, token, notes)
    for line in notes:  # less depth for those operations, said out loud
        print(f"fuzz: {line}")
    yield {"base": fuzz_stack, "schemas": schemas, "token": token, "figures": figures, "session": session,
           "ids": ids}
    fuzz_figures.write({app: dict(f) for app, f in figures.items()})


@pytest.mark.parametrize("app,method,path,role", _cases())
def test_no_5xx_and_every_answer_as_documented(fuzz, app, method, path, role):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    operation = fuzz["schemas"][app][path][method]
    # Half the examples aim at real resources of this role (ids the seeding made); never for
    # what would destroy them for the operations that follow (DELETE, retire).
    known = fuzz["ids"].get(role, {})
    fixed = {} if method == "DELETE" or path.endswith("/retire") else \
        {name: known[name] for name in re.findall(r"{(\w+)}", path) if name in known}
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for path_parameters in ([None, fixed] if fixed else [None]):
            try:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            except Exception:  # noqa: BLE001 - nothing to negate (no parameters, no body)
                continue
    token = fuzz["token"](role)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    counts = fuzz["figures"][app]
    failures: list[str] = []

    def check(case):
        response = case.call(base_url=f"{fuzz['base']}/{app}", session=fuzz["session"], headers=headers,
                             timeout=30, allow_redirects=False)
        counts["requests"] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                     content_type_conformance, response_schema_conformance],
                                   headers=headers)
        except FailureGroup as group:
            # per answer, not per failed check: a 500 also breaks "documented status"
            names = {type(failure).__name__ for failure in group.exceptions}
            if response.status_code >= 500:
                counts["server_errors"] += 1
            elif any("Schema" in name for name in names):
                counts["schema_violations"] += 1
            else:
                counts["other"] += 1
            if (app, f"{method} {path}", role) in KNOWN:
                counts["known"] += 1
            if len(failures) < 3:
                failures.append(f"{case.as_curl_command(headers=headers)}\n  -> {response.status_code} "
                                f"{response.text[:300]}\n  {group}")

    quick = dict(deadline=None, database=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                 suppress_health_check=list(HealthCheck))

    @settings(max_examples=EXAMPLES * 2, **quick)
    @given(case=st.one_of(strategies))
    def run(case):
        check(case)

    run()

    # Every date at both ends of the calendar, in an otherwise valid request: chance alone
    # rarely draws year 1 or 9999, and that is where the arithmetic overflows.
    doc = fuzz["schemas"][app].raw_schema
    valid = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=fixed or None)
    fields = calendar_fields(doc, path, method)
    # each date alone at each end, then all of them at the same end (a period from year 1 to year 1)
    probes = [[(where, name, EXTREMES[kind][end])] for where, name, kind in fields for end in (0, 1)]
    if len(fields) > 1:
        probes += [[(where, name, EXTREMES[kind][end]) for where, name, kind in fields] for end in (0, 1)]
    for changes in probes:
        @settings(max_examples=1, **quick)
        @given(case=valid)
        def probe(case):
            for where, name, value in changes:
                if where == "query":
                    case.query = {**(case.query or {}), name: value}
                elif isinstance(case.body, dict):
                    case.body[name] = value
            check(case)

        probe()
    assert not failures, "\n\n".join(failures)
