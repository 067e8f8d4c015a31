"""Every operation of every app, against the one policy: no token → 401, a role the policy does
not list → 403, a role it lists gets past authentication and authorization and, with a minimal
request (no body, or an empty JSON object), an answer about the request (4xx), never a 5xx. Row-level access
(citizen A never sees citizen B's anything) is tested with each feature."""
import re

import pytest

from infra.apps import load_app
from services.auth.policy import POLICY
from services.auth.principal import Role
from tests.support.people import new_pnr

HTTP_APPS = ["eservices", "visits", "reports", "billing"]


def operations():
    for name in HTTP_APPS:
        for path, methods in load_app(name).app.routes.items():
            for method, entry in methods.items():
                spec = getattr(entry.view_function, "__operation__", None)
                if spec is not None and spec.action is not None:
                    yield pytest.param(name, method, path, spec.action, id=f"{name} {method} {path}")


def claims_for(role):
    if role in (Role.CITIZEN, Role.RELATIVE, Role.CONTACT_PERSON):
        return {"personnummer": new_pnr()}
    if role in (Role.PROVIDER_STAFF, Role.PROVIDER_COORDINATOR):
        return {"user_id": "policy-test", "provider_id": "prov-policy"}
    return {"user_id": "policy-test"}


def concrete(path):
    return re.sub(r"{\w+}", "00000000-0000-0000-0000-000000000000", path)


@pytest.mark.parametrize("app,method,path,action", list(operations()))
def test_operation_follows_the_policy(app_client, token, app, method, path, action):
    client = app_client(app)
    url = concrete(path)
    assert client.request(method, url).status == 401
    for role in Role:
        response = client.request(method, url, token=token(str(role), **claims_for(role)))
        if role in POLICY[action]:
            assert response.status != 401, (role, response.json)
            assert response.status < 500, (role, "no body", response.status, response.json)
            if method in ("POST", "PUT", "PATCH"):
                with_body = client.request(method, url, token=token(str(role), **claims_for(role)), json_body={})
                assert with_body.status < 500, (role, "{}", with_body.status, with_body.json)
            if response.status == 403:  # allowed by the policy: a 403 must come from a row rule, not the role
                assert "may not perform" not in response.json["detail"], (role, response.json)
        else:
            assert response.status == 403, (role, response.status, response.json)
