"""``make deploy`` (``python -m infra.deploy``): the shared stack first, then every app of
``infra/resources.py`` — the one list, the identity app included — each packaged and deployed with
CAPABILITY_IAM and the parameters its own template takes."""
from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from infra.deploy import main
from infra.resources import APPS

ROOT = Path(__file__).resolve().parents[2]


def dry_run(capsys, *parameters: str) -> list[list[str]]:
    assert main(["--bucket", "artifacts", "--region", "eu-north-1", "--templates", "build/cfn", "--dry-run",
                 *parameters]) == 0
    return [shlex.split(line) for line in capsys.readouterr().out.splitlines()]


def stack_of(command: list[str]) -> str:
    return command[command.index("--stack-name") + 1]


def overrides_of(command: list[str]) -> list[str]:
    if "--parameter-overrides" not in command:
        return []
    return command[command.index("--parameter-overrides") + 1:]


def test_the_dry_run_deploys_the_shared_stack_first_then_every_app_the_identity_app_included(capsys):
    """GIVEN the apps of infra/resources.py WHEN the deployment is dry-run THEN the shared stack comes
    first, and each app (identity too) is packaged to the bucket and then deployed with CAPABILITY_IAM."""
    assert "identity" in APPS
    commands = dry_run(capsys)
    assert commands[0][:3] == ["aws", "cloudformation", "deploy"]
    assert stack_of(commands[0]) == "insats-shared" and "build/cfn/shared.json" in commands[0]
    deploys = [c for c in commands[1:] if c[2] == "deploy"]
    assert [stack_of(c) for c in deploys] == [f"insats-{app}" for app in APPS]
    for app in APPS:
        package = next(c for c in commands if c[2] == "package" and f"build/cfn/{app}/sam.json" in c)
        deploy = next(c for c in deploys if stack_of(c) == f"insats-{app}")
        assert commands.index(package) < commands.index(deploy)
        assert package[package.index("--s3-bucket") + 1] == "artifacts"
        packaged = package[package.index("--output-template-file") + 1]
        assert deploy[deploy.index("--template-file") + 1] == packaged
        assert deploy[deploy.index("--capabilities") + 1] == "CAPABILITY_IAM"
        assert deploy[deploy.index("--region") + 1] == "eu-north-1"


def test_each_stack_gets_the_parameters_its_template_takes_and_a_secret_is_never_printed(capsys):
    """GIVEN a token setting, the broker's issuer and its secret WHEN dry-run THEN every app gets the
    token setting, only the identity app the broker's settings, and the secret shows as ****."""
    commands = dry_run(capsys, "InsatsTokenIssuer=https://e-tjanster.kommun.se/identity",
                       "OidcIssuer=https://eid.kommun.se", "OidcClientSecret=hemligt",
                       "OidcScopes=openid https://id.oidc.se/scope/naturalPersonNumber")
    deploys = {stack_of(c): overrides_of(c) for c in commands if c[2] == "deploy"}
    assert deploys["insats-shared"] == []
    for app in APPS:
        given = deploys[f"insats-{app}"]
        assert "InsatsTokenIssuer=https://e-tjanster.kommun.se/identity" in given
        assert any(p.startswith("Oidc") for p in given) == (app == "identity")
    assert deploys["insats-identity"][1:] == ["OidcIssuer=https://eid.kommun.se", "OidcClientSecret=****",
                                              "OidcScopes=openid https://id.oidc.se/scope/naturalPersonNumber"]
    assert not any("hemligt" in part for c in commands for part in c)


@pytest.mark.parametrize("pair", ["OidcIsuer=https://eid.kommun.se", "no-equals-sign"])
def test_a_parameter_no_template_takes_is_refused_before_anything_runs(capsys, pair):
    with pytest.raises(SystemExit) as exited:
        main(["--bucket", "artifacts", "--dry-run", pair])
    assert exited.value.code == 2
    assert "aws cloudformation" not in capsys.readouterr().out


def test_make_deploy_runs_the_deploy_module_and_names_no_app_itself():
    """The Makefile's deploy target hands over to infra.deploy (its app list is infra/resources.py's)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^deploy:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "-m infra.deploy" in recipe
    assert not any(re.search(rf"\b{app}\b", recipe) for app in APPS)


def test_make_deploy_hands_the_bucket_region_and_parameters_to_the_module():
    """GIVEN make WHEN make -n deploy (the recipe's commands, nothing run) THEN it calls the module that
    the dry run above tests, with the bucket, region and parameters given to make."""
    done = subprocess.run(["make", "-n", "--no-print-directory", "-o", "package", "deploy", "ARTIFACTS_BUCKET=b",
                           "REGION=eu-west-1", "CFN_PARAMETERS=OidcIssuer=https://eid.kommun.se", "DRY_RUN=1"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.replace("\\\n", " ").splitlines() if "infra.deploy" in line)
    assert shlex.split(line)[1:] == ["-m", "infra.deploy", "--bucket", "b", "--region", "eu-west-1", "--dry-run",
                                     "OidcIssuer=https://eid.kommun.se"]
