"""``services.adapters.aws.table()`` is a light Table over a client (no resource model at a cold start): the
same calls on it and on boto3's ``Table`` resource give the same answers on a moto server (python
values in and out, Decimal numbers, conditions, pages, the batch writer, ``meta.client``)."""
from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError


def _answer(result: dict, pk: str) -> object:
    """An answer without what differs between the two sides (request ids, the partition key, how much a scan read)."""
    kept = {k: v for k, v in result.items() if k not in ("ResponseMetadata", "ScannedCount")}  # a scan sees both sides
    return json.loads(json.dumps(kept, default=repr).replace(pk, "PK"))


def _conditional_error(call) -> str:  # noqa: ANN001 - a call expected to fail its condition
    with pytest.raises(ClientError) as failed:
        call()
    return failed.value.response["Error"]["Code"]


def _same_calls(table, pk: str) -> list:  # noqa: ANN001 - a Table resource or the light table
    """Every kind of call the adapters make, in order; their answers."""
    item = {"pk": pk, "sk": "A", "n": Decimal("12.50"), "count": 3, "names": {"Åsa", "Per"}, "ok": True,
            "nested": {"list": [1, "två", None], "empty": {}}, "none": None, "blob": b"\x00\x01"}
    answers: list = [_answer(table.put_item(Item=item), pk)]
    answers.append(_answer(table.get_item(Key={"pk": pk, "sk": "A"}, ConsistentRead=True), pk))
    answers.append(_answer(table.get_item(Key={"pk": pk, "sk": "missing"}), pk))
    answers.append(_conditional_error(lambda: table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")))
    answers.append(_conditional_error(lambda: table.put_item(Item=item, ConditionExpression=Attr("count").eq(4))))
    answers.append(_answer(table.update_item(
        Key={"pk": pk, "sk": "A"}, UpdateExpression="SET #c = #c + :one, extra = :e",
        ConditionExpression=Attr("ok").eq(True) & Attr("n").gt(Decimal("1")),
        ExpressionAttributeNames={"#c": "count"}, ExpressionAttributeValues={":one": 1, ":e": ["x", Decimal("2")]},
        ReturnValues="ALL_NEW"), pk))
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"pk": pk, "sk": f"B#{i:02d}", "i": i})
        batch.delete_item(Key={"pk": pk, "sk": "B#29"})
    answers.append(_answer(table.meta.client.put_item(TableName=table.name, Item={"pk": pk, "sk": "C", "v": 1},
                                                      ConditionExpression="attribute_not_exists(pk)"), pk))
    answers.append(_answer(table.meta.client.get_item(TableName=table.name, Key={"pk": pk, "sk": "C"}), pk))
    first = table.query(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with("B#"), Limit=10)
    answers.append(_answer(first, pk))
    answers.append(_answer(table.query(KeyConditionExpression="pk = :pk AND sk > :sk",
                                       ExpressionAttributeValues={":pk": pk, ":sk": "B#20"},
                                       ExclusiveStartKey=first["LastEvaluatedKey"], ScanIndexForward=False), pk))
    answers.append(_answer(table.scan(FilterExpression=Attr("pk").eq(pk) & Attr("i").lt(3)), pk))
    answers.append(_answer(table.delete_item(Key={"pk": pk, "sk": "A"}, ReturnValues="ALL_OLD"), pk))
    answers.append(_answer(table.delete_item(Key={"pk": pk, "sk": "A"}), pk))
    return answers


@pytest.fixture(scope="module")
def own_table(aws):
    """A table of this module's own (the logical name): a scan reads a whole table, and the shared
    tables grow with what every other test in the worker wrote (a scan's page ends at 1 MB)."""
    from services.adapters.aws import client
    from services.settings import settings

    logical = f"light-{uuid.uuid4().hex[:8]}"
    name = settings().name(logical)
    dynamodb = client("dynamodb")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}])
    yield logical
    dynamodb.delete_table(TableName=name)


def test_the_light_table_answers_as_the_table_resource_does(own_table):
    # GIVEN the Table resource and the light table over the same DynamoDB table
    from services.adapters.aws import resource, table
    from services.settings import settings

    light, full = table(own_table), resource("dynamodb").Table(settings().name(own_table))
    assert light.name == full.name
    # WHEN each makes the same calls on its own items
    on_resource = _same_calls(full, f"LIGHT#{uuid.uuid4()}")
    on_light = _same_calls(light, f"LIGHT#{uuid.uuid4()}")
    # THEN every answer is the same (python values, Decimal numbers, sets, bytes, errors, pages)
    assert on_light == on_resource
    assert "Decimal('12.50')" in json.dumps(on_light)


def test_the_plain_client_stays_plain_beside_the_light_table(aws):
    # GIVEN a light table made in this process
    from services.adapters.aws import client, table

    light = table("eservices")
    pk = f"PLAIN#{uuid.uuid4()}"
    light.put_item(Item={"pk": pk, "sk": "A", "n": 1})
    # WHEN the plain client reads the same item
    got = client("dynamodb").get_item(TableName=light.name, Key={"pk": {"S": pk}, "sk": {"S": "A"}})
    # THEN it answers in DynamoDB's own types, as before
    assert got["Item"]["n"] == {"N": "1"}
