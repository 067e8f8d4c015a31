"""Creates the resources of ``infra/resources.py`` on a local endpoint (moto server or
LocalStack). Idempotent: running it twice changes nothing."""
from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from .resources import STACK, Stack


def local_session(endpoint: str, region: str) -> Any:
    """A boto3-compatible session whose every client points at the local endpoint."""
    from localstack_client.session import Session

    host = endpoint.split("://", 1)[-1].rstrip("/")
    return Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region,
                   localstack_host=host)


def provision(session: Any, *, prefix: str, region: str, stack: Stack = STACK) -> dict[str, str]:
    """Creates everything; returns the physical names and ARNs it made (for printing)."""
    name = lambda logical: f"{prefix}-{logical}"  # noqa: E731
    ddb, sqs, sns, s3, ses = (session.client(s) for s in ("dynamodb", "sqs", "sns", "s3", "ses"))
    made: dict[str, str] = {}

    for table in stack.tables:
        schema = table.key_schema()
        if not schema["GlobalSecondaryIndexes"]:
            del schema["GlobalSecondaryIndexes"]
        try:
            ddb.create_table(TableName=name(table.name), BillingMode="PAY_PER_REQUEST",
                             StreamSpecification=table.stream_specification(), **schema)
            ddb.get_waiter("table_exists").wait(TableName=name(table.name))
            ddb.update_time_to_live(TableName=name(table.name),
                                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
            _enable_stream(ddb, name(table.name), table.stream_specification())
            _add_indexes(ddb, name(table.name), schema)
        made[f"table:{table.name}"] = name(table.name)

    topic_arns = {t: sns.create_topic(Name=name(t))["TopicArn"] for t in stack.topics}
    made.update({f"topic:{t}": arn for t, arn in topic_arns.items()})

    for queue in stack.queues:
        dlq_url = sqs.create_queue(QueueName=name(queue.dlq),
                                   Attributes={"MessageRetentionPeriod": str(14 * 86400)})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=name(queue.name), Attributes={
            "VisibilityTimeout": str(queue.visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": str(queue.max_receive_count)}),
        })["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        made[f"queue:{queue.name}"] = url
        if queue.subscribes_to or queue.topic:
            topic = topic_arns[queue.topic or "domain-events"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(_queue_policy(arn, topic))})
            existing = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            if not any(s["Endpoint"] == arn for s in existing):
                attributes = {"RawMessageDelivery": "true"}
                if queue.subscribes_to:
                    attributes["FilterPolicy"] = json.dumps({"event_type": list(queue.subscribes_to)})
                sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)

    for bucket in stack.buckets:
        kwargs: dict[str, Any] = {"Bucket": name(bucket.name)}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            s3.create_bucket(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise
        s3.put_bucket_cors(Bucket=name(bucket.name), CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": list(bucket.cors_origins), "AllowedMethods": ["GET", "PUT", "POST"],
            "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]})
        if bucket.expire:
            s3.put_bucket_lifecycle_configuration(Bucket=name(bucket.name),
                                                  LifecycleConfiguration={"Rules": bucket.lifecycle_rules()})
        made[f"bucket:{bucket.name}"] = name(bucket.name)

    for identity in stack.email_identities:
        ses.verify_email_identity(EmailAddress=identity)
    return made


def _enable_stream(ddb: Any, table_name: str, wanted: dict) -> None:
    """A table kept from before it had a stream (an external endpoint keeps its state) gets one."""
    current = ddb.describe_table(TableName=table_name)["Table"].get("StreamSpecification") or {}
    if wanted.get("StreamEnabled") and not current.get("StreamEnabled"):
        ddb.update_table(TableName=table_name, StreamSpecification=wanted)


def _add_indexes(ddb: Any, table_name: str, schema: dict) -> None:
    """A table kept from before one of its indexes was declared (an external endpoint keeps its
    state) gets it, one at a time as DynamoDB allows; its older items enter it only once they carry
    the index's keys (``make index-casework-audit`` for the audit trail's by resource)."""
    wanted = schema.get("GlobalSecondaryIndexes", [])
    present = {i["IndexName"] for i in ddb.describe_table(TableName=table_name)["Table"].get("GlobalSecondaryIndexes", [])}
    for index in wanted:
        if index["IndexName"] in present:
            continue
        keys = {k["AttributeName"] for k in index["KeySchema"]}
        ddb.update_table(TableName=table_name,
                         AttributeDefinitions=[a for a in schema["AttributeDefinitions"] if a["AttributeName"] in keys],
                         GlobalSecondaryIndexUpdates=[{"Create": index}])


def _queue_policy(queue_arn: str, topic_arn: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}
