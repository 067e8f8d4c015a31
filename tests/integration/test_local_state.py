"""The local stack's data kept across restarts: a dump from one embedded AWS loads into a fresh one,
binary attributes, nested values and S3 objects with their type intact; and what was written after
the last dump is replayed from the journal."""
import subprocess
import sys
import time
import urllib.request
import uuid

import boto3
import pytest

from infra.local import state
from tests.support.stack import REGION, free_port


@pytest.fixture()
def fresh_aws():
    """A fresh embedded AWS per call, each a moto server in its own process (moto's state is
    per process: the suite's own server must not be reset)."""
    procs = []

    def start():
        port = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/data.json", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

        class S:
            def client(self, name):
                return session.client(name, endpoint_url=endpoint)

        s = S()
        s.client("dynamodb").create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        s.client("s3").create_bucket(Bucket="docs-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        return s

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_a_dump_loads_into_a_fresh_embedded_aws(fresh_aws, tmp_path):
    # GIVEN items (one binary, one nested, 60 in all) and a PDF in S3
    first = fresh_aws()
    ddb = first.client("dynamodb")
    ddb.put_item(TableName="t", Item={"pk": {"S": "bin"}, "blob": {"B": b"\x00\xffpdf"},
                                      "nested": {"M": {"l": {"L": [{"N": "1.5"}, {"BS": [b"a", b"b"]}]}}}})
    for i in range(59):
        ddb.put_item(TableName="t", Item={"pk": {"S": f"i{i}"}, "n": {"N": str(i)}})
    first.client("s3").put_object(Bucket="docs-bucket", Key="cases/1/a b.pdf", Body=b"%PDF-1.7",
                                  ContentType="application/pdf", Metadata={"owner": "x"})
    # WHEN dumped, and loaded into another moto server with the same resources
    assert state.save(first, tmp_path) == {"items": 60, "objects": 1}
    second = fresh_aws()
    assert state.load(second, tmp_path) == {"items": 60, "objects": 1}
    # THEN everything is there as it was
    got = second.client("dynamodb").get_item(TableName="t", Key={"pk": {"S": "bin"}})["Item"]
    assert got["blob"]["B"] == b"\x00\xffpdf"
    assert got["nested"]["M"]["l"]["L"][1]["BS"] == [b"a", b"b"]
    assert second.client("dynamodb").scan(TableName="t", Select="COUNT")["Count"] == 60
    obj = second.client("s3").get_object(Bucket="docs-bucket", Key="cases/1/a b.pdf")
    assert obj["Body"].read() == b"%PDF-1.7" and obj["ContentType"] == "application/pdf"
    assert obj["Metadata"] == {"owner": "x"}


def test_no_dump_means_nothing_to_load_and_clear_forgets(fresh_aws, tmp_path):
    aws = fresh_aws()
    assert state.load(aws, tmp_path) is None
    state.save(aws, tmp_path)
    state.clear(tmp_path)
    assert state.load(aws, tmp_path) is None


# -- the journal: what was answered since the last dump survives a kill (issue 20, item 15) ----------

def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f'Content-Type: application/pdf\r\n\r\n'.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _table(session, name):
    session.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])


def _contents(session, table):
    items = sorted((i for p in session.client("dynamodb").get_paginator("scan").paginate(TableName=table)
                    for i in p["Items"]), key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
    s3 = session.client("s3")
    objects = {o["Key"]: s3.get_object(Bucket="docs-bucket", Key=o["Key"])["Body"].read()
               for o in s3.list_objects_v2(Bucket="docs-bucket").get("Contents", [])}
    return items, objects


def test_writes_after_the_last_dump_are_replayed_from_the_journal_idempotently(fresh_aws, tmp_path):
    from infra.local.journal import Journal
    from infra.local.stack import _embedded_aws

    # GIVEN the local stack's embedded AWS (moto with the journal in front, in this process)
    table = f"journal-{uuid.uuid4().hex[:8]}"
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    journal = Journal(tmp_path)
    server = _embedded_aws(port, journal, endpoint, REGION)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    class Running:
        def client(self, name):
            return session.client(name, endpoint_url=endpoint)

    live = Running()
    # moto's state is per process: tables other tests of this worker made are in the dump too
    ddb = live.client("dynamodb")
    others = sum(len(p["Items"]) for names in ddb.get_paginator("list_tables").paginate()
                 for name in names["TableNames"] for p in ddb.get_paginator("scan").paginate(TableName=name))
    try:
        _table(live, table)
        live.client("s3").create_bucket(Bucket="docs-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        journal.start()
        ddb, s3 = live.client("dynamodb"), live.client("s3")
        counter = {"pk": {"S": "count"}, "sk": {"S": "-"}}
        # WHEN writes of every kind are answered, a dump is taken half-way, and more writes follow
        ddb.put_item(TableName=table, Item={"pk": {"S": "bin"}, "sk": {"S": "1"}, "blob": {"B": b"\x00\xff"},
                                            "set": {"BS": [b"a", b"b"]}})
        ddb.update_item(TableName=table, Key=counter, UpdateExpression="ADD n :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": str(i)}}}}
                                                   for i in range(25)]})
        s3.put_object(Bucket="docs-bucket", Key="cases/1/kvitto.pdf", Body=b"%PDF-1", ContentType="application/pdf")
        s3.put_object(Bucket="docs-bucket", Key="cases/1/gone.pdf", Body=b"%PDF-x")
        s3.put_object(Bucket="docs-bucket", Key="cases/1/a & b.pdf", Body=b"%PDF-y")
        assert state.save(live, tmp_path, journal)["items"] == others + 27
        ddb.update_item(TableName=table, Key=counter, UpdateExpression="ADD n :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "case"}, "sk": {"S": "A"}, "n": {"N": "1"}}}},
            {"Update": {"TableName": table, "Key": counter, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
        ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"S": "0"}}}}]})
        ddb.delete_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
        s3.delete_object(Bucket="docs-bucket", Key="cases/1/gone.pdf")
        s3.delete_objects(Bucket="docs-bucket", Delete={"Objects": [{"Key": "cases/1/a & b.pdf"}]})
        form = s3.generate_presigned_post(Bucket="docs-bucket", Key="uploads/${filename}")
        body, content_type = _multipart(form["fields"], "bilaga.pdf", b"%PDF-upload")
        upload = urllib.request.Request(form["url"], data=body, method="POST", headers={"Content-Type": content_type})
        assert urllib.request.urlopen(upload, timeout=10).status in (200, 201, 204)
        expected = _contents(live, table)
    finally:
        server.shutdown()  # killed: no dump of what came after the last one
        server.server_close()
        journal.close()
    assert len(expected[0]) == 26 and sorted(expected[1]) == ["cases/1/kvitto.pdf", "uploads/bilaga.pdf"]

    # THEN a fresh embedded AWS with the last dump and the journal holds exactly what was answered:
    # the counter incremented three times is 3 (results are replayed, not requests), though the dump
    # already held the first increment
    fresh = fresh_aws()
    _table(fresh, table)
    assert state.load(fresh, tmp_path) == {"items": 27, "objects": 3}
    assert Journal(tmp_path).replay(fresh) == {"items": 4, "objects": 3}  # the last of each since the dump
    assert _contents(fresh, table) == expected
    got = fresh.client("dynamodb").get_item(TableName=table, Key=counter)["Item"]
    assert got["n"] == {"N": "3"}
    item = fresh.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "bin"}, "sk": {"S": "1"}})["Item"]
    assert item["blob"]["B"] == b"\x00\xff" and sorted(item["set"]["BS"]) == [b"a", b"b"]
    assert fresh.client("s3").get_object(Bucket="docs-bucket", Key="uploads/bilaga.pdf")["Body"].read() == b"%PDF-upload"
