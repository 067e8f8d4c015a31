"""Insats' own tokens in the deployment: the signing key in the shared stack, the token settings
as every app's parameters, kms:Sign for the identity app only; the broker's OIDC_* settings are
no longer the verifier's anywhere (the apps' configuration, the local stack)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from infra.apps import load_app
from infra.cfn import merge_template, policy_for, render_shared, signing_statements, token_parameters
from infra.resources import APPS, TOKEN_ISSUER_APP

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = {"INSATS_TOKEN_ISSUER": "InsatsTokenIssuer", "INSATS_TOKEN_AUDIENCE": "InsatsTokenAudience",
             "INSATS_TOKEN_JWKS_URL": "InsatsTokenJwksUrl"}


def actions_of(statements: list[dict]) -> set[str]:
    return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_the_shared_stack_holds_an_rsa_signing_key_with_its_alias_and_exports_it():
    shared = render_shared()
    key = shared["Resources"]["TokenSigningKey"]
    assert key["Type"] == "AWS::KMS::Key"
    props = key["Properties"]
    assert (props["KeySpec"], props["KeyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    assert {"Key": "insats:purpose", "Value": "token-signing"} in props["Tags"]
    assert key["DeletionPolicy"] == "Retain"  # a lost key is every session's login lost
    alias = shared["Resources"]["TokenSigningKeyAlias"]
    assert alias["Type"] == "AWS::KMS::Alias"
    assert alias["Properties"] == {"AliasName": "alias/insats-token-signing", "TargetKeyId": {"Ref": "TokenSigningKey"}}
    assert shared["Outputs"]["TokenSigningKeyArn"]["Export"]["Name"] == "insats-token-signing-key-arn"


@pytest.mark.parametrize("app", APPS)
def test_only_the_identity_app_may_sign_tokens(app):
    actions = actions_of(policy_for(app)["Statement"])
    assert ("kms:Sign" in actions) == (app == TOKEN_ISSUER_APP)
    assert not any(a.startswith("kms:") for a in actions) or app == TOKEN_ISSUER_APP


def test_the_identity_apps_grant_is_sign_and_public_keys_on_token_signing_keys_only():
    assert TOKEN_ISSUER_APP == "identity"
    [statement] = signing_statements("identity")
    assert sorted(statement["Action"]) == ["kms:GetPublicKey", "kms:Sign"]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/insats:purpose": "token-signing"}}
    assert statement["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"}
    assert all(signing_statements(other) == [] for other in APPS if other != "identity")


@pytest.mark.skipif("identity" not in APPS, reason="the identity app is another branch's; this runs once merged")
def test_once_the_identity_app_exists_its_policy_grants_kms_sign():
    assert "kms:Sign" in actions_of(policy_for("identity")["Statement"])


@pytest.mark.parametrize("app", APPS)
def test_every_app_takes_the_token_settings_as_parameters_into_its_environment(app):
    template = merge_template(load_app(app), app)
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for env, parameter in TOKEN_ENV.items():
        assert variables[env] == {"Ref": parameter}
        assert template["Parameters"][parameter]["Type"] == "String"
    assert template["Parameters"]["InsatsTokenAudience"]["Default"] == "insats"
    assert ("INSATS_SIGNING_KEY_IDS" in variables) == (app == TOKEN_ISSUER_APP)


def test_the_identity_app_signs_with_the_given_keys_or_else_the_shared_stacks():
    rendered = token_parameters("identity")
    assert rendered["Variables"]["INSATS_SIGNING_KEY_IDS"] == {
        "Fn::If": ["SigningKeyIdsGiven", {"Ref": "InsatsSigningKeyIds"},
                   {"Fn::ImportValue": "insats-token-signing-key-arn"}]}
    assert rendered["Parameters"]["InsatsSigningKeyIds"]["Default"] == ""
    assert "SigningKeyIdsGiven" in rendered["Conditions"]
    assert "INSATS_SIGNING_KEY_IDS" not in token_parameters("visits")["Variables"]


@pytest.mark.parametrize("app", APPS)
def test_no_apps_configuration_points_the_verifier_at_the_broker(app):
    config = json.loads((ROOT / f"{app}_svc" / ".chalice" / "config.json").read_text())
    for stage in config["stages"].values():
        env = stage.get("environment_variables", {})
        assert "OIDC_JWKS_URL" not in env and "OIDC_AUDIENCE" not in env
        # The token settings come from the stack's parameters: a value here would hide them.
        assert not any(name.startswith("INSATS_TOKEN_") for name in env)


def test_the_local_stack_leaves_the_brokers_settings_alone(monkeypatch, tmp_path):
    from infra.local.stack import _configure_env

    broker = {"OIDC_ISSUER": "https://op.example", "OIDC_JWKS_URL": "https://op.example/jwks",
              "OIDC_AUDIENCE": "client-1", "OIDC_CLIENT_ID": "client-1"}
    for name, value in broker.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "INSATS_STAGE", "DEV_ISSUER_DIR",
                 "INSATS_TOKEN_JWKS_URL", "POPULATION_REGISTER_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_LOG_LEVEL", "PUBLIC_BASE_URL"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # monkeypatch restores each afterwards
    _configure_env("http://127.0.0.1:1", tmp_path, "eu-north-1", started_moto=True)
    assert {name: os.environ[name] for name in broker} == broker
    assert os.environ["INSATS_TOKEN_JWKS_URL"] == f"file://{tmp_path}/jwks.json"


def test_the_brokers_configuration_is_the_identity_apps_parameters_and_no_one_elses():
    """GIVEN the rendered parameters WHEN the identity app's and another's are compared THEN only the
    identity app (the broker's one client) takes OIDC_* — the secret never echoed, the method one of four."""
    from infra.cfn import BROKER_PARAMETERS

    identity = token_parameters("identity")
    for name, (env, _, _) in BROKER_PARAMETERS.items():
        assert identity["Variables"][env] == {"Ref": name}
    assert identity["Parameters"]["OidcClientSecret"]["NoEcho"] is True
    assert identity["Parameters"]["OidcClientAuth"]["AllowedValues"] == [
        "none", "client_secret_basic", "client_secret_post", "private_key_jwt"]
    for app in ("eservices", "visits", "reports", "billing", "notify"):
        assert not [v for v in token_parameters(app)["Variables"] if v.startswith("OIDC_")]


@pytest.mark.parametrize("app", APPS)
def test_no_parameter_of_an_apps_stack_is_hidden_by_its_chalice_configuration(app):
    """GIVEN the variables an app's stack sets from its parameters (Globals) WHEN its .chalice/config.json
    sets one of them too THEN SAM would take the function's own value and the parameter would do
    nothing (so OidcIssuer, OidcClientId, OidcClientAuth, OidcStaffAcr and the site's address did):
    none may be there."""
    from_parameters = set(token_parameters(app)["Variables"])
    assert {"PUBLIC_BASE_URL", "INSATS_TOKEN_ISSUER"} <= from_parameters
    config = json.loads((ROOT / f"{app}_svc" / ".chalice" / "config.json").read_text())
    for stage in config["stages"].values():
        assert not from_parameters & set(stage.get("environment_variables", {}))


@pytest.mark.parametrize("app", APPS)
def test_every_app_takes_the_sites_public_address_as_a_parameter(app):
    """Redirect URIs, the identity service's address for a section and the links in e-mails follow
    PUBLIC_BASE_URL: every app's stack takes it (billing had none and would have used 127.0.0.1)."""
    rendered = token_parameters(app)
    assert rendered["Variables"]["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert rendered["Parameters"]["PublicBaseUrl"]["AllowedPattern"] == "^https://.+"


def test_the_token_issuer_and_keys_left_empty_follow_the_sites_address_on_aws(monkeypatch):
    # GIVEN an app's stack deployed with PublicBaseUrl only: the two token parameters at their default
    from services.settings import settings

    parameters = token_parameters("eservices")["Parameters"]
    assert parameters["InsatsTokenIssuer"]["Default"] == parameters["InsatsTokenJwksUrl"]["Default"] == ""
    for env, value in {"INSATS_STAGE": "prod", "PUBLIC_BASE_URL": "https://e-tjanster.kommun.se",
                       "INSATS_TOKEN_ISSUER": "", "INSATS_TOKEN_JWKS_URL": "", "INSATS_SIGNING_KEY_DIR": ""}.items():
        monkeypatch.setenv(env, value)
    settings.cache_clear()
    try:
        # WHEN the app reads its settings THEN issuer and keys are the identity app's at that address
        assert settings().token_issuer == "https://e-tjanster.kommun.se/identity"
        assert settings().token_jwks_url == "https://e-tjanster.kommun.se/identity/.well-known/jwks.json"
    finally:
        monkeypatch.undo()
        settings.cache_clear()
