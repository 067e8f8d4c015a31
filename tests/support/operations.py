"""Every HTTP operation of the apps, with a token's claims for any role: what the policy test and
the access-matrix test both walk."""
import re

import pytest

from infra.apps import load_app
from services.auth.principal import PROVIDER_ROLES, Role
from tests.support.people import new_pnr

HTTP_APPS = ["eservices", "visits", "reports", "billing", "identity"]


def operations():
    """One ``pytest.param(app, method, path, action)`` per route an action guards."""
    for name in HTTP_APPS:
        for path, methods in load_app(name).app.routes.items():
            for method, entry in methods.items():
                spec = getattr(entry.view_function, "__operation__", None)
                if spec is not None and spec.action is not None:
                    yield pytest.param(name, method, path, spec.action, id=f"{name} {method} {path}")


def claims_for(role):
    """What a token of ``role`` carries: a personnummer for a person, a provider for its roles."""
    if role in (Role.CITIZEN, Role.RELATIVE, Role.CONTACT_PERSON):
        return {"personnummer": new_pnr()}
    if role in PROVIDER_ROLES:
        return {"user_id": "policy-test", "provider_id": "prov-policy"}
    return {"user_id": "policy-test"}


def concrete(path):
    """The path with every parameter the all-zero uuid: an id that names nothing."""
    return re.sub(r"{\w+}", "00000000-0000-0000-0000-000000000000", path)
