"""GIVEN the resource definitions and the apps WHEN packaged for AWS THEN CloudFormation that
cfn-lint accepts, with ReportBatchItemFailures on every SQS event source."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.cfn import package_all, policy_for
from infra.resources import STACK

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def templates():
    return package_all(ROOT / "build" / "cfn")


def test_cfn_lint_accepts_every_template(templates):
    lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(lint), *map(str, templates)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_sqs_event_source_reports_partial_batch_failures(templates):
    sources = 0
    for template in templates[1:]:
        for resource in json.loads(template.read_text())["Resources"].values():
            for event in resource.get("Properties", {}).get("Events", {}).values():
                if event["Type"] == "SQS":
                    sources += 1
                    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sources == len(STACK.queues)  # every queue has its consumer, and each reports partial failures


def test_no_functions_own_environment_hides_a_stack_parameter(templates):
    """GIVEN each packaged app WHEN a function's own environment names a variable its Globals set from
    a parameter THEN SAM takes the function's value and the parameter does nothing: none may."""
    for template in templates[1:]:
        rendered = json.loads(template.read_text())
        from_parameters = {name for name, value in rendered["Globals"]["Function"]["Environment"]["Variables"].items()
                           if isinstance(value, dict) and ("Ref" in value or "Fn::If" in value)}
        assert "PUBLIC_BASE_URL" in from_parameters
        for name, resource in rendered["Resources"].items():
            if resource["Type"] == "AWS::Serverless::Function":
                own = resource["Properties"].get("Environment", {}).get("Variables", {})
                assert not from_parameters & set(own), (template, name)


def test_every_queue_has_a_dlq_with_redrive(templates):
    shared = json.loads(templates[0].read_text())["Resources"]
    for queue in STACK.queues:
        props = next(r["Properties"] for r in shared.values()
                     if r["Type"] == "AWS::SQS::Queue" and r["Properties"]["QueueName"] == f"insats-{queue.name}")
        assert props["RedrivePolicy"]["maxReceiveCount"] == queue.max_receive_count


def test_an_app_may_touch_only_its_own_table():
    for app in ("eservices", "visits", "notify", "reports", "billing", "identity"):
        text = json.dumps(policy_for(app))
        others = {"eservices", "visits", "notify", "reports", "billing", "identity"} - {app}
        assert f"table/insats-{app}" in text
        assert not any(f"table/insats-{other}" in text for other in others)


def test_api_gateways_own_refusals_are_problem_documents(templates):
    """GIVEN an app with routes WHEN API Gateway itself refuses (no route, too large, throttled, 5xx)
    THEN the answer is application/problem+json like the apps' own."""
    apis = 0
    for template in templates[1:]:
        resources = json.loads(template.read_text())["Resources"]
        if "RestAPI" not in resources:
            continue
        apis += 1
        responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in resources.values()
                     if r["Type"] == "AWS::ApiGateway::GatewayResponse"}
        assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX"}
        for props in responses.values():
            assert props["RestApiId"] == {"Ref": "RestAPI"}
            assert props["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
            assert '"type": "urn:insats:problem:gateway' in props["ResponseTemplates"]["application/json"]
    assert apis == 5  # eservices, visits, reports, billing, identity serve HTTP; notify only consumes


def test_each_relaying_app_has_its_stream_source_and_carries_the_resource_definitions(templates):
    import zipfile

    relays = 0
    for template in templates[1:]:
        folder = template.parent
        assert "infra/resources.py" in zipfile.ZipFile(folder / "deployment.zip").namelist(), folder.name
        for resource in json.loads(template.read_text())["Resources"].values():
            for event in resource.get("Properties", {}).get("Events", {}).values():
                if event["Type"] == "DynamoDB":
                    relays += 1
                    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
                    assert event["Properties"]["Stream"] == {"Fn::ImportValue": f"insats-{folder.name}-table-stream-arn"}
    assert relays == sum(1 for a in STACK.apps if a.relays_outbox)
