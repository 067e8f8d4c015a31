"""The embedded moto's rollback copy shares stream records instead of copying them, and a
cancelled transaction still leaves no record on the stream."""
import copy

import pytest

from infra.local.moto_streams import install
from infra.resources import Table


@pytest.fixture
def ddb(monkeypatch):
    from moto import mock_aws
    import boto3

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # in-process moto ignores clients with an endpoint
    for k, v in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "eu-north-1"}.items():
        monkeypatch.setenv(k, v)
    install()
    with mock_aws():
        spec = Table("t", "t")
        client = boto3.client("dynamodb")
        client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                            StreamSpecification=spec.stream_specification(), **spec.key_schema())
        yield client


def records(client):
    """The keys of the table's stream records, from the embedded store itself."""
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends["123456789012"]["eu-north-1"].tables["t"].stream_shard
    return [r.to_json()["dynamodb"]["Keys"]["pk"]["S"] for r in shard.items]


def put(pk, condition=None):
    op = {"TableName": "t", "Item": {"pk": {"S": pk}, "sk": {"S": "x"}}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def test_the_rollback_copy_shares_the_records_not_the_list(ddb):
    from moto.dynamodb.models import dynamodb_backends

    ddb.put_item(TableName="t", Item={"pk": {"S": "A"}, "sk": {"S": "x"}})
    table = dynamodb_backends["123456789012"]["eu-north-1"].tables["t"]
    clone = copy.deepcopy(table)
    assert clone.stream_shard.items[0] is table.stream_shard.items[0]
    assert clone.stream_shard.items is not table.stream_shard.items
    assert clone.stream_shard.table is clone


def test_a_cancelled_transaction_leaves_no_stream_record(ddb):
    from botocore.exceptions import ClientError

    ddb.put_item(TableName="t", Item={"pk": {"S": "A"}, "sk": {"S": "x"}})
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[put("B"), put("A", condition="attribute_not_exists(pk)")])
    assert records(ddb) == ["A"]
    ddb.transact_write_items(TransactItems=[put("C")])
    assert records(ddb) == ["A", "C"]
