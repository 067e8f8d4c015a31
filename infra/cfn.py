"""Renders ``infra/resources.py`` as CloudFormation and packages every app for AWS.

``python -m infra.cfn build/cfn`` writes:
- ``shared.json``: tables, the domain-events topic, every queue with its DLQ and subscription,
  the documents bucket, the e-mail identity and the token signing key (deploy it first);
- ``<app>/sam.json`` + ``deployment.zip`` per app, from ``chalice package`` merged with
  ``<app>-merge.json``, which adds ``ReportBatchItemFailures`` to the SQS event sources (Chalice
  does not emit it) and the app's least-privilege IAM policy (generated into
  ``.chalice/policy-prod.json``).

Insats' own tokens: the shared stack holds the signing key (KMS, RSA_2048, SIGN_VERIFY, with the
alias ``alias/<prefix>-token-signing`` and the tag ``insats:purpose=token-signing``); every app's
stack takes the token issuer, audience and JWKS URL as parameters (``INSATS_TOKEN_*`` in its
environment) and the site's address (``PublicBaseUrl``: ``PUBLIC_BASE_URL``), and only the
identity app may sign (``kms:Sign`` on keys with that tag), with the keys named by its parameter
``InsatsSigningKeyIds`` ("current,previous" while rotating; empty: the shared stack's key).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .resources import APPS, STACK, TOKEN_ISSUER_APP, Stack, queues_of
from .resources import app as app_spec

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REGION = "eu-north-1"
SIGNING_KEY_TAG = {"Key": "insats:purpose", "Value": "token-signing"}
# Every app's stack: the settings of Insats' own tokens (services/settings.py), as parameters.
TOKEN_PARAMETERS = {
    # Empty (the default): derived from PublicBaseUrl by services/settings.py, so the three never disagree.
    "InsatsTokenIssuer": ("INSATS_TOKEN_ISSUER", "",
                          "The iss of Insats' own tokens; empty: {PublicBaseUrl}/identity"),
    "InsatsTokenAudience": ("INSATS_TOKEN_AUDIENCE", "insats", "The aud of Insats' own tokens"),
    "InsatsTokenJwksUrl": ("INSATS_TOKEN_JWKS_URL", "",
                           "Where every app reads Insats' public keys; empty: {PublicBaseUrl}/identity/.well-known/jwks.json"),
}


# Every app's stack: the site's public address (redirect URIs, links in e-mails, the identity
# service's address for the staff sections). A parameter, never a value in .chalice/config.json: SAM
# takes a function's own environment value over Globals', so one there would hide the parameter.
SITE_PARAMETERS = {
    "PublicBaseUrl": ("PUBLIC_BASE_URL", "https://e-tjanster.example.se",
                      "The site's public address (no trailing slash), e.g. https://e-tjanster.kommun.se"),
}


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _sub(prefix: str, kind: str, name: str) -> dict:
    templates = {
        "table": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/%s",
        "queue": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:%s",
        "topic": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:%s",
        "bucket": "arn:${AWS::Partition}:s3:::%s",
    }
    return {"Fn::Sub": templates[kind] % f"{prefix}-{name}"}


def stream_export(prefix: str, table: str) -> str:
    return f"{prefix}-{table}-table-stream-arn"


def render_shared(stack: Stack = STACK, prefix: str = "insats") -> dict[str, Any]:
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for table in stack.tables:
        resources[f"{_logical(table.name)}Table"] = {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "TableName": f"{prefix}-{table.name}", "BillingMode": "PAY_PER_REQUEST",
                **table.key_schema(),
                "TimeToLiveSpecification": {"AttributeName": table.ttl_attribute, "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
            },
        }
        if table.stream_view:
            resources[f"{_logical(table.name)}Table"]["Properties"]["StreamSpecification"] = {
                "StreamViewType": table.stream_view}
            # The owning app's relay takes its event source from here.
            outputs[f"{_logical(table.name)}TableStreamArn"] = {
                "Value": {"Fn::GetAtt": [f"{_logical(table.name)}Table", "StreamArn"]},
                "Export": {"Name": stream_export(prefix, table.name)}}
    for topic in stack.topics:
        resources[f"{_logical(topic)}Topic"] = {
            "Type": "AWS::SNS::Topic",
            # SES cannot publish to a topic under the AWS-managed SNS key: feedback's topic goes without.
            "Properties": {"TopicName": f"{prefix}-{topic}",
                           **({} if topic == "ses-feedback" else {"KmsMasterKeyId": "alias/aws/sns"})},
        }
        outputs[f"{_logical(topic)}TopicArn"] = {"Value": {"Ref": f"{_logical(topic)}Topic"}}
    for queue in stack.queues:
        q, dlq = f"{_logical(queue.name)}Queue", f"{_logical(queue.name)}Dlq"
        resources[dlq] = {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": f"{prefix}-{queue.dlq}", "MessageRetentionPeriod": 14 * 86400, "SqsManagedSseEnabled": True}}
        resources[q] = {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": f"{prefix}-{queue.name}", "VisibilityTimeout": queue.visibility_timeout,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
                              "maxReceiveCount": queue.max_receive_count}}}
        resources[f"{_logical(queue.name)}DlqAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"Messages in {prefix}-{queue.dlq}: a consumer gave up on them",
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}],
            "Statistic": "Maximum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}}
        outputs[f"{_logical(queue.name)}QueueArn"] = {"Value": {"Fn::GetAtt": [q, "Arn"]}}
        if queue.subscribes_to or queue.topic:
            topic = f"{_logical(queue.topic or stack.topics[0])}Topic"
            subscription: dict[str, Any] = {"TopicArn": {"Ref": topic}, "Protocol": "sqs",
                                            "Endpoint": {"Fn::GetAtt": [q, "Arn"]}, "RawMessageDelivery": True}
            if queue.subscribes_to:
                subscription["FilterPolicy"] = {"event_type": list(queue.subscribes_to)}
            resources[f"{_logical(queue.name)}Subscription"] = {"Type": "AWS::SNS::Subscription",
                                                                 "Properties": subscription}
            resources[f"{_logical(queue.name)}QueuePolicy"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
                "Queues": [{"Ref": q}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                    "Resource": {"Fn::GetAtt": [q, "Arn"]},
                    "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}}}]}}}
    for bucket in stack.buckets:
        resources[f"{_logical(bucket.name)}Bucket"] = {
            "Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketName": {"Fn::Sub": bucket_name(prefix, bucket.name)},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                   "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "VersioningConfiguration": {"Status": "Enabled"},
                "CorsConfiguration": {"CorsRules": [{"AllowedOrigins": list(bucket.cors_origins),
                                                     "AllowedMethods": ["GET", "PUT", "POST"],
                                                     "AllowedHeaders": ["*"], "MaxAge": 3000}]},
            },
        }
        if bucket.expire:
            resources[f"{_logical(bucket.name)}Bucket"]["Properties"]["LifecycleConfiguration"] = {"Rules": [
                {"Id": r["ID"], "Status": "Enabled", "Prefix": r["Filter"]["Prefix"],
                 "ExpirationInDays": r["Expiration"]["Days"],
                 "NoncurrentVersionExpiration": {"NoncurrentDays": r["NoncurrentVersionExpiration"]["NoncurrentDays"]},
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
                for r in bucket.lifecycle_rules()]}
        outputs[f"{_logical(bucket.name)}BucketName"] = {"Value": {"Ref": f"{_logical(bucket.name)}Bucket"}}
    for i, identity in enumerate(stack.email_identities):
        resources[f"MailIdentity{i}"] = {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": identity}}
    if "ses-feedback" in stack.topics:
        # Bounces and complaints of mail sent with this configuration set reach notify-feedback.
        resources["MailConfigurationSet"] = {"Type": "AWS::SES::ConfigurationSet",
                                             "Properties": {"Name": f"{prefix}-mail"}}
        resources["MailFeedbackDestination"] = {"Type": "AWS::SES::ConfigurationSetEventDestination", "Properties": {
            "ConfigurationSetName": {"Ref": "MailConfigurationSet"},
            "EventDestination": {"Name": "feedback", "Enabled": True, "MatchingEventTypes": ["bounce", "complaint"],
                                 "SnsDestination": {"TopicARN": {"Ref": "SesFeedbackTopic"}}}}}
        resources["SesFeedbackTopicPolicy"] = {"Type": "AWS::SNS::TopicPolicy", "Properties": {
            "Topics": [{"Ref": "SesFeedbackTopic"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "sns:Publish",
                "Resource": {"Ref": "SesFeedbackTopic"},
                "Condition": {"StringEquals": {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}}}
    resources.update(signing_key_resources(prefix))
    outputs["TokenSigningKeyArn"] = {"Value": {"Fn::GetAtt": ["TokenSigningKey", "Arn"]},
                                     "Export": {"Name": signing_key_export(prefix)}}
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": "Insats shared resources: tables, domain-events topic, queues with DLQs, documents bucket, "
                           "token signing key",
            "Resources": resources, "Outputs": outputs}


def signing_key_alias(prefix: str) -> str:
    return f"alias/{prefix}-token-signing"


def signing_key_export(prefix: str) -> str:
    return f"{prefix}-token-signing-key-arn"


def signing_key_resources(prefix: str = "insats") -> dict[str, Any]:
    """Insats' token signing key: asymmetric (KMS keeps the private half), RSA_2048 for RS256. The
    key policy leaves its use to IAM (only the identity app's role is granted kms:Sign). KMS
    rotates no asymmetric key by itself: a new key is made and named first in the identity app's
    ``InsatsSigningKeyIds`` ("new,old"), the old one dropped from it once its tokens have expired."""
    return {
        "TokenSigningKey": {
            "Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": "Insats signs its own tokens (RS256) with this key; only the identity app may sign",
                "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY", "Enabled": True, "PendingWindowInDays": 30,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "TheAccountKeepsTheKeyIamGrantsItsUse", "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*", "Resource": "*"}]},
                "Tags": [SIGNING_KEY_TAG],
            },
        },
        "TokenSigningKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
            "AliasName": signing_key_alias(prefix), "TargetKeyId": {"Ref": "TokenSigningKey"}}},
    }


def signing_statements(app: str) -> list[dict[str, Any]]:
    """kms:Sign (and reading the public keys it serves) for the identity app only: on this
    account's keys tagged as token signing keys, so a key made for a rotation is covered too."""
    if app != TOKEN_ISSUER_APP:
        return []
    return [{"Effect": "Allow", "Action": ["kms:Sign", "kms:GetPublicKey"],
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"},
             "Condition": {"StringEquals": {f"aws:ResourceTag/{SIGNING_KEY_TAG['Key']}": SIGNING_KEY_TAG["Value"]}}}]


def policy_for(app: str, prefix: str = "insats") -> dict[str, Any]:
    """The app's least-privilege IAM policy, from what ``infra/resources.py`` declares it may do:
    its own table (and its stream, if it relays an outbox), its own queues, its buckets, and
    publishing the events it declares, e-mail and SMS."""
    spec = app_spec(app)
    table = _sub(prefix, "table", spec.table)
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:*:logs:*:*:*"},
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                       "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem",
                                       "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem"],
         "Resource": [table, {"Fn::Join": ["", [table, "/index/*"]]}]},
    ]
    if spec.relays_outbox:
        statements.append({"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                                         "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                           "Resource": {"Fn::Join": ["", [table, "/stream/*"]]}})
        statements.append({"Effect": "Allow", "Action": "sns:Publish",
                           "Resource": _sub(prefix, "topic", "domain-events")})
    queues = queues_of(app)
    if queues:
        statements.append({"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                         "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                                         "sqs:SendMessage", "sqs:ChangeMessageVisibility"],
                           # its DLQs too: a message that can never succeed is moved there at once
                           "Resource": [_sub(prefix, "queue", n) for q in queues for n in (q.name, q.dlq)]})
    for bucket in spec.buckets:
        arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket_name(prefix, bucket)}"}
        statements.append({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                           "Resource": {"Fn::Join": ["", [arn, "/*"]]}})
    if spec.sends_email:
        statements.append({"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"})
    if spec.sends_sms:
        # SMS to a phone number has no resource ARN to scope to.
        statements.append({"Effect": "Allow", "Action": ["sns:Publish"], "NotResource": "arn:aws:sns:*:*:*"})
    statements.extend(signing_statements(app))
    return {"Version": "2012-10-17", "Statement": statements}


def bucket_name(prefix: str, bucket: str) -> str:
    """Bucket names are global: the deployed one carries the account id (a ``Fn::Sub`` string)."""
    return f"{prefix}-{bucket}-${{AWS::AccountId}}"


def merge_template(app_module: Any, app: str, prefix: str = "insats") -> dict[str, Any]:
    """What ``chalice package --merge-template`` adds to the app's SAM template: partial batch
    failures on its SQS sources; its outbox relay's stream (from the shared stack's export), with
    an alarm on how far it lags; API Gateway's refusals as problem documents; its buckets' names."""
    resources: dict[str, Any] = {}
    for source in app_module.app.event_sources:
        kind = type(source).__name__
        fn = _logical(source.name)
        if kind == "SQSEventConfig":
            resources[fn] = {"Properties": {"Events": {f"{fn}SqsEventSource": {"Properties": {
                "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}}}
        elif kind == "DynamoDBEventConfig":
            resources[fn] = {"Properties": {"Events": {f"{fn}DynamodbEventSource": {"Properties": {
                "Stream": {"Fn::ImportValue": stream_export(prefix, app_spec(app).table)},
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                # a failing batch is split to find the record that fails; it is retried until it
                # succeeds or leaves the stream (24 h), and the alarm below says so long before
                "BisectBatchOnFunctionError": True}}}}}
            resources[f"{fn}IteratorAgeAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "AlarmDescription": f"{app}'s outbox relay is more than 5 minutes behind its table's stream",
                "Namespace": "AWS/Lambda", "MetricName": "IteratorAge",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": fn}}],
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 5, "Threshold": 5 * 60 * 1000,
                "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}}
    if app_module.app.routes:
        resources.update(gateway_problem_responses())
    variables: dict[str, Any] = {f"{b.upper().replace('-', '_')}_NAME": {"Fn::Sub": bucket_name(prefix, b)}
                                 for b in app_spec(app).buckets}
    template: dict[str, Any] = {"Resources": resources, **token_parameters(app, prefix)}
    variables.update(template.pop("Variables"))
    template["Globals"] = {"Function": {"Environment": {"Variables": variables}}}
    return template


BROKER_PARAMETERS = {  # CloudFormation parameter: (environment variable, default, description)
    "OidcIssuer": ("OIDC_ISSUER", "https://eid-broker.example.se", "The e-ID broker's issuer (discovery under it)"),
    "OidcClientId": ("OIDC_CLIENT_ID", "insats", "Insats' client id at the broker"),
    "OidcClientSecret": ("OIDC_CLIENT_SECRET", "", "The client secret (client_secret_basic/post); empty otherwise"),
    "OidcClientAuth": ("OIDC_CLIENT_AUTH", "private_key_jwt", "How Insats authenticates at the token endpoint"),
    "OidcClientKey": ("OIDC_CLIENT_KEY", "", "PEM (or a path in the package) of the private_key_jwt key"),
    "OidcScopes": ("OIDC_SCOPES", "openid https://id.oidc.se/scope/naturalPersonNumber", "Scopes asked for"),
    "OidcPnrClaim": ("OIDC_PNR_CLAIM", "https://id.oidc.se/claim/personalIdentityNumber",
                     "The claim holding the personal identity number"),
    "OidcCoordinationClaim": ("OIDC_COORDINATION_CLAIM", "https://id.oidc.se/claim/coordinationNumber",
                              "The claim holding a coordination number"),
    "OidcStaffAcr": ("OIDC_STAFF_ACR", "http://id.elegnamnden.se/loa/1.0/loa3",
                     "The assurance level a staff login needs (two-factor by default)"),
}


def token_parameters(app: str, prefix: str = "insats") -> dict[str, Any]:
    """The parameters of Insats' own tokens (and the site's address) every app's stack takes, and
    the environment they give (``Variables``, merged into the template's ``Globals`` by the caller).
    The identity app also names its signing keys: ``InsatsSigningKeyIds``, or else the shared stack's key."""
    every_app = {**TOKEN_PARAMETERS, **SITE_PARAMETERS}
    parameters: dict[str, Any] = {name: {"Type": "String", "Default": default, "Description": description}
                                  for name, (_, default, description) in every_app.items()}
    for name in ("InsatsTokenAudience", "PublicBaseUrl"):
        parameters[name]["MinLength"] = 1
    parameters["PublicBaseUrl"]["AllowedPattern"] = "^https://.+"
    for name in ("InsatsTokenIssuer", "InsatsTokenJwksUrl"):  # empty: derived from PublicBaseUrl
        parameters[name]["AllowedPattern"] = "^(https://.+)?$"
    variables: dict[str, Any] = {env: {"Ref": name} for name, (env, _, _) in every_app.items()}
    rendered: dict[str, Any] = {"Parameters": parameters}
    if app == TOKEN_ISSUER_APP:
        parameters["InsatsSigningKeyIds"] = {
            "Type": "String", "Default": "",
            "Description": "KMS keys that sign Insats' tokens, 'current,previous' while rotating; "
                           "empty: the shared stack's key"}
        rendered["Conditions"] = {"SigningKeyIdsGiven": {"Fn::Not": [{"Fn::Equals": [{"Ref": "InsatsSigningKeyIds"}, ""]}]}}
        variables["INSATS_SIGNING_KEY_IDS"] = {"Fn::If": ["SigningKeyIdsGiven", {"Ref": "InsatsSigningKeyIds"},
                                                          {"Fn::ImportValue": signing_key_export(prefix)}]}
        # The municipality's e-ID broker: configuration only (README "Logging in with e-ID").
        for name, (env, default, description) in BROKER_PARAMETERS.items():
            parameters[name] = {"Type": "String", "Default": default, "Description": description}
            variables[env] = {"Ref": name}
        parameters["OidcIssuer"].update({"MinLength": 1, "AllowedPattern": "^https://.+"})
        parameters["OidcClientSecret"]["NoEcho"] = True
        parameters["OidcClientAuth"]["AllowedValues"] = ["none", "client_secret_basic", "client_secret_post",
                                                         "private_key_jwt"]
    rendered["Variables"] = variables
    return rendered


def gateway_problem_responses() -> dict[str, Any]:
    """API Gateway's own refusals (no route, body over its limit, throttling, its 5xx) as RFC 9457
    problem+json like every answer of the apps. ``$context.error.responseType`` names what it was."""
    template = ('{"type": "urn:insats:problem:gateway-$context.error.responseType", '
                '"title": $context.error.messageString, "detail": $context.error.messageString}')
    return {f"GatewayProblem{kind.title().replace('_', '')}": {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": kind,
            "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/problem+json'"},
            "ResponseTemplates": {"application/json": template},
        }} for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}


def _iam_policy_file(app: str, prefix: str) -> dict[str, Any]:
    """Chalice's policy file takes plain strings: ARNs with wildcards for partition, region, account."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict) and "Fn::Sub" in value:
            return (value["Fn::Sub"].replace("${AWS::Partition}", "aws").replace("${AWS::Region}", "*")
                    .replace("${AWS::AccountId}", "*"))
        if isinstance(value, dict) and "Fn::Join" in value:
            return "".join(plain(v) for v in value["Fn::Join"][1])
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(policy_for(app, prefix))


def _inputs_digest(app: str) -> str:
    h = hashlib.sha256()
    for base in (ROOT / f"{app}_svc", ROOT / "services"):
        for path in sorted(base.rglob("*")):
            if path.is_file() and ".chalice/deployments" not in str(path) and "__pycache__" not in str(path):
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    h.update((ROOT / "requirements.txt").read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def package_app(app: str, out_dir: Path, *, prefix: str = "insats", region: str = DEFAULT_REGION) -> Path:
    """``chalice package`` for one app, merged; skipped when nothing it packages has changed."""
    from .apps import app_dir, load_app

    out_dir = out_dir.resolve()
    target = out_dir / app
    digest = _inputs_digest(app)
    stamp = target / ".inputs"
    if stamp.exists() and stamp.read_text() == digest and (target / "sam.json").exists():
        return target
    folder = app_dir(app)
    (folder / ".chalice" / "policy-prod.json").write_text(json.dumps(_iam_policy_file(app, prefix), indent=2))
    merge = out_dir / f"{app}-merge.json"
    merge.write_text(json.dumps(merge_template(load_app(app), app, prefix), indent=2))
    if target.exists():
        shutil.rmtree(target)
    env = {**os.environ, "AWS_DEFAULT_REGION": region}
    env.pop("AWS_ENDPOINT_URL", None)
    # chalice's command line, its dependencies built once for every app (infra/chalice_package.py)
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "chalice_package.py"),
                    str(out_dir / ".site-packages"), "package", "--stage", "prod",
                    "--merge-template", str(merge), str(target)], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    stamp.write_text(digest)
    return target


def package_all(out_dir: Path, *, prefix: str = "insats", region: str = DEFAULT_REGION) -> list[Path]:
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    shared = out_dir / "shared.json"
    shared.write_text(json.dumps(render_shared(STACK, prefix), indent=2))
    for app in APPS:  # load every app once here: loading is not thread-safe
        from .apps import load_app

        load_app(app)
    with ThreadPoolExecutor(max_workers=2) as pool:
        targets = list(pool.map(lambda a: package_app(a, out_dir, prefix=prefix, region=region), APPS))
    return [shared, *[t / "sam.json" for t in targets]]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "cfn")
    for template in package_all(out):
        print(template)
