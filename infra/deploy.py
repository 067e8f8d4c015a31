"""Deploys Insats to AWS from the templates ``python -m infra.cfn build/cfn`` wrote (``make deploy``).

The shared stack first (tables, topic, queues, bucket, e-mail identity, the token signing key), then
every app of ``infra/resources.py`` (``APPS``: the one list, so a new app is deployed without
touching the Makefile): ``aws cloudformation package`` (its Lambda code to the artifacts bucket),
then ``aws cloudformation deploy`` with ``CAPABILITY_IAM`` (each app's role) and the parameters
its template takes, e.g. the identity app's e-ID broker settings (``Oidc*``).

    python -m infra.deploy --bucket my-lambda-artifacts [--region eu-north-1] [--dry-run] \\
        InsatsTokenIssuer=https://e-tjanster.kommun.se/identity OidcIssuer=https://eid.kommun.se ...

``--dry-run`` prints the ``aws`` commands and runs nothing (a NoEcho parameter's value printed as
``****``). A parameter no template takes is refused before anything is deployed (a typo would
otherwise deploy the default silently); each app's stack gets only the parameters its template takes.
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from .cfn import DEFAULT_REGION, ROOT, token_parameters
from .resources import APPS

PREFIX = "insats"
HIDDEN = "****"


def stack_name(name: str, prefix: str = PREFIX) -> str:
    return f"{prefix}-{name}"


def parameters_of(app: str, prefix: str = PREFIX) -> dict[str, dict]:
    """The parameters an app's stack takes (``infra/cfn.py`` renders them into its template)."""
    return token_parameters(app, prefix)["Parameters"]


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``Name=value`` pairs; refuses a malformed pair and a name no app's template takes."""
    overrides: dict[str, str] = {}
    known = {name for app in APPS for name in parameters_of(app)}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"not Name=value: {pair!r}")
        if name not in known:
            raise ValueError(f"no template takes the parameter {name!r} (known: {', '.join(sorted(known))})")
        overrides[name] = value
    return overrides


def commands(bucket: str, overrides: dict[str, str], *, region: str = DEFAULT_REGION,
             templates: Path = ROOT / "build" / "cfn", prefix: str = PREFIX,
             hide_secrets: bool = False) -> list[list[str]]:
    """The ``aws`` commands of a deployment, in order: the shared stack, then each app's package and
    deploy. ``hide_secrets``: a NoEcho parameter's value as ``****`` (for printing)."""
    aws = ["aws", "cloudformation"]
    deploy_flags = ["--region", region, "--no-fail-on-empty-changeset"]
    run = [[*aws, "deploy", *deploy_flags, "--stack-name", stack_name("shared", prefix),
            "--template-file", str(templates / "shared.json")]]
    for app in APPS:
        declared = parameters_of(app, prefix)
        given = [f"{name}={HIDDEN if hide_secrets and declared[name].get('NoEcho') else value}"
                 for name, value in overrides.items() if name in declared]
        packaged = templates / app / "packaged.yaml"
        run.append([*aws, "package", "--region", region, "--template-file", str(templates / app / "sam.json"),
                    "--s3-bucket", bucket, "--output-template-file", str(packaged)])
        run.append([*aws, "deploy", *deploy_flags, "--stack-name", stack_name(app, prefix),
                    "--template-file", str(packaged), "--capabilities", "CAPABILITY_IAM",
                    *(["--parameter-overrides", *given] if given else [])])
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="an S3 bucket for the Lambda packages")
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--templates", type=Path, default=ROOT / "build" / "cfn",
                        help="where python -m infra.cfn wrote the templates")
    parser.add_argument("--dry-run", action="store_true", help="print the aws commands, run nothing")
    parser.add_argument("parameters", nargs="*", metavar="Name=value", help="stack parameters (e.g. OidcIssuer=...)")
    args = parser.parse_args(argv)
    if not args.bucket:
        parser.error("set --bucket (make deploy ARTIFACTS_BUCKET=<an S3 bucket for the Lambda packages>)")
    try:
        overrides = parse_overrides(args.parameters)
    except ValueError as exc:
        parser.error(str(exc))
    shown = commands(args.bucket, overrides, region=args.region, templates=args.templates, hide_secrets=True)
    if args.dry_run:
        for command in shown:
            print(shlex.join(command))
        return 0
    missing = [t for t in [args.templates / "shared.json", *(args.templates / a / "sam.json" for a in APPS)]
               if not t.exists()]
    if missing:
        parser.error(f"no template at {missing[0]}: run make package (python -m infra.cfn {args.templates}) first")
    for command, printed in zip(commands(args.bucket, overrides, region=args.region, templates=args.templates),
                                shown):
        print("+", shlex.join(printed), flush=True)
        done = subprocess.run(command)
        if done.returncode:
            return done.returncode  # the stacks after it are not deployed
    return 0


if __name__ == "__main__":
    sys.exit(main())
