"""The embedded moto's rollback copy shares stream records instead of copying them, and a
cancelled transaction still leaves no record on the stream.

On the suite's moto server (in this process, so its backend can be inspected): an in-process
``mock_aws`` would reset every backend on exit, the server's queues and tables included.
"""
import copy
import uuid

import pytest

from infra.local.moto_streams import install
from infra.resources import Table
from tests.support.stack import REGION


@pytest.fixture
def ddb(aws):
    import boto3

    install()
    name = f"streams-{uuid.uuid4().hex[:8]}"
    spec = Table(name, name)
    client = boto3.client("dynamodb", endpoint_url=aws, region_name=REGION)
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        StreamSpecification=spec.stream_specification(), **spec.key_schema())
    yield client, name
    client.delete_table(TableName=name)


def backend_table(name):
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"][REGION].tables[name]


def records(name):
    """The keys of the table's stream records, from the embedded store itself."""
    return [r.to_json()["dynamodb"]["Keys"]["pk"]["S"] for r in backend_table(name).stream_shard.items]


def put(name, pk, condition=None):
    op = {"TableName": name, "Item": {"pk": {"S": pk}, "sk": {"S": "x"}}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def test_the_rollback_copy_shares_the_records_not_the_list(ddb):
    client, name = ddb
    client.put_item(TableName=name, Item={"pk": {"S": "A"}, "sk": {"S": "x"}})
    table = backend_table(name)
    clone = copy.deepcopy(table)
    assert clone.stream_shard.items[0] is table.stream_shard.items[0]
    assert clone.stream_shard.items is not table.stream_shard.items
    assert clone.stream_shard.table is clone


def test_a_cancelled_transaction_leaves_no_stream_record(ddb):
    from botocore.exceptions import ClientError

    client, name = ddb
    client.put_item(TableName=name, Item={"pk": {"S": "A"}, "sk": {"S": "x"}})
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[put(name, "B"), put(name, "A", condition="attribute_not_exists(pk)")])
    assert records(name) == ["A"]
    client.transact_write_items(TransactItems=[put(name, "C")])
    assert records(name) == ["A", "C"]
