"""The local stack's data kept across restarts: a dump from one embedded AWS loads into a fresh one,
binary attributes, nested values and S3 objects with their type intact."""
import subprocess
import sys
import time
import urllib.request

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
