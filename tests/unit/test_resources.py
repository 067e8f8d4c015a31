"""``infra/resources.py`` is the one definition: the apps' queue and stream sources, their IAM
policies and the deployed template's relays follow from what it declares."""
import json
from pathlib import Path

import pytest

from infra.apps import load_app
from infra.cfn import merge_template, policy_for, render_shared
from infra.resources import STACK, queues_of
from services.entrypoints.sources import RELAY_HANDLER, table_of
from services.settings import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = [a.name for a in STACK.apps]


def sources(app, kind):
    return [s for s in load_app(app).app.event_sources if type(s).__name__ == kind]


@pytest.mark.parametrize("app", APPS)
def test_an_apps_queue_handlers_are_the_queues_it_owns(app):
    got = {(s.queue, s.name, s.batch_size) for s in sources(app, "SQSEventConfig")}
    assert got == {(settings().name(q.name), q.handler, q.batch_size) for q in queues_of(app)}


@pytest.mark.parametrize("app", APPS)
def test_an_app_relays_its_tables_stream_exactly_when_it_declares_events(app):
    spec = next(a for a in STACK.apps if a.name == app)
    relays = sources(app, "DynamoDBEventConfig")
    if spec.relays_outbox:
        [relay] = relays
        assert relay.name == RELAY_HANDLER and relay.starting_position == "TRIM_HORIZON"
        assert table_of(relay.stream_arn) == settings().name(spec.table)
    else:
        assert relays == []


def test_no_app_names_a_physical_resource():
    for app in APPS:
        lines = (ROOT / f"{app}_svc" / "app.py").read_text().splitlines()
        assert [line for line in lines if "insats-" in line and "Chalice(app_name=" not in line] == [], app


def test_every_event_has_one_declared_publisher_and_every_subscription_a_publisher():
    from services.contracts.events import REGISTRY

    from infra.resources import NOTIFY_REQUESTS

    declared = [t for a in STACK.apps for t in a.publishes]
    owned = [t for t in declared if t not in NOTIFY_REQUESTS]
    assert len(owned) == len(set(owned))  # one publisher per event type, but the requests to notify
    assert {t for t, _ in REGISTRY} == set(declared)
    subscribed = {t for q in STACK.queues for t in q.subscribes_to}
    assert subscribed <= set(declared)


@pytest.mark.parametrize("app", APPS)
def test_an_apps_policy_grants_what_it_declares_and_no_more(app):
    spec = next(a for a in STACK.apps if a.name == app)
    statements = policy_for(app)["Statement"]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    text = json.dumps(statements)
    assert ("ses:SendEmail" in actions) == spec.sends_email
    assert ('"NotResource": "arn:aws:sns:*:*:*"' in text) == spec.sends_sms
    assert ("insats-domain-events" in text) == bool(spec.publishes)
    assert ("dynamodb:GetRecords" in actions) == spec.relays_outbox
    assert (f"table/insats-{app}" in text and "/stream/*" in text) == spec.relays_outbox
    assert ("s3:PutObject" in actions) == bool(spec.buckets)
    for bucket in spec.buckets:
        assert f"insats-{bucket}-" in text


def test_every_table_has_a_stream_whose_arn_the_shared_stack_exports():
    shared = render_shared()
    for table in STACK.tables:
        props = shared["Resources"][f"{table.name.capitalize()}Table"]["Properties"]
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        output = shared["Outputs"][f"{table.name.capitalize()}TableStreamArn"]
        assert output["Export"]["Name"] == f"insats-{table.name}-table-stream-arn"


@pytest.mark.parametrize("app", APPS)
def test_a_relaying_app_takes_its_stream_from_the_shared_stack_with_partial_failures_and_an_alarm(app):
    spec = next(a for a in STACK.apps if a.name == app)
    resources = merge_template(load_app(app), app)["Resources"]
    alarms = [r for r in resources.values() if r.get("Properties", {}).get("MetricName") == "IteratorAge"]
    if not spec.relays_outbox:
        assert alarms == [] and "RelayOutbox" not in resources
        return
    source = resources["RelayOutbox"]["Properties"]["Events"]["RelayOutboxDynamodbEventSource"]["Properties"]
    assert source["Stream"] == {"Fn::ImportValue": f"insats-{spec.table}-table-stream-arn"}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    [alarm] = alarms
    assert alarm["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "RelayOutbox"}}]
