"""The declared indexes: the e-services' table has a third (the audit trail by case), every other
table two; a table kept from before an index was declared (an external endpoint keeps its state)
gets it when provisioned again, its items kept."""
import uuid

import pytest

from infra.provision import local_session, provision
from infra.resources import STACK, Stack, Table
from tests.support.stack import REGION


def test_the_eservices_table_alone_has_the_index_by_resource():
    indexes = {t.name: t.indexes for t in STACK.tables}
    assert indexes.pop("eservices") == ("gsi1", "gsi2", "gsi3")
    assert set(indexes.values()) == {("gsi1", "gsi2")}


@pytest.fixture
def kept_table(aws):
    """A table made as the stack was before its third index, with an item in it."""
    import boto3

    name = f"kept-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb", endpoint_url=aws, region_name=REGION,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    before = Table(name, name)
    client.create_table(TableName=f"insats-{name}", BillingMode="PAY_PER_REQUEST",
                        StreamSpecification=before.stream_specification(), **before.key_schema())
    client.put_item(TableName=f"insats-{name}", Item={"pk": {"S": "A"}, "sk": {"S": "1"},
                                                      "gsi3pk": {"S": "R"}, "gsi3sk": {"S": "1"}})
    yield client, name
    client.delete_table(TableName=f"insats-{name}")


def test_a_kept_table_gets_the_index_declared_since_and_keeps_its_items(aws, kept_table):
    client, name = kept_table
    now = Stack(tables=(Table(name, name, indexes=("gsi1", "gsi2", "gsi3")),), queues=(), topics=(), buckets=())
    # WHEN provisioned with the index declared (twice: it is idempotent)
    for _ in range(2):
        provision(local_session(aws, REGION), prefix="insats", region=REGION, stack=now)
    # THEN the table has it, and the kept item is found through it
    described = client.describe_table(TableName=f"insats-{name}")["Table"]
    assert sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]) == ["gsi1", "gsi2", "gsi3"]
    found = client.query(TableName=f"insats-{name}", IndexName="gsi3", KeyConditionExpression="gsi3pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": "R"}})["Items"]
    assert [i["pk"]["S"] for i in found] == ["A"]
