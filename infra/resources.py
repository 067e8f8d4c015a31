"""The AWS resources of Insats and what each app may do with them, defined once.

``infra/provision.py`` creates them on a local endpoint (moto, LocalStack), ``infra/cfn.py``
renders them as CloudFormation and each app's IAM policy, the local stack wires its pumps from
them, and the apps name their queues from here (each app's ``vendor/infra`` holds this file, so
the Lambda can read it; nothing here imports anything but the standard library). Names are
logical; the physical name is ``<prefix>-<name>`` (``services.settings.Settings.name``).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class App:
    """One Chalice app: it owns the table of its name and the queues whose ``owner`` it is; the
    rest it may do is declared here, and its IAM policy grants exactly that."""

    name: str
    # Event types it puts on the domain-events topic: its writes carry them in their items'
    # outbox, and its relay on the table's stream publishes them.
    publishes: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()  # buckets whose objects it reads and writes
    sends_email: bool = False
    sends_sms: bool = False

    @property
    def table(self) -> str:
        return self.name

    @property
    def relays_outbox(self) -> bool:
        return bool(self.publishes)


APP_DEFINITIONS = (
    App("eservices", buckets=("documents",), publishes=(
        "submission.received", "case.status_changed", "decision.published", "assignment.registered",
        "contact_report.approved", "message.sent", "notification.requested", "contact_preferences.changed")),
    App("visits", publishes=("visit.changed", "absence.registered", "rejected_events.changed")),
    App("notify", publishes=("notification.delivered", "notification.failed"), sends_email=True, sends_sms=True),
    App("reports"),
    App("billing"),
    # The staff directory, the staff login and Insats' own tokens; it tells notify a staff account's
    # work e-mail (recipient ``staff#<account id>``) and asks for the end reminders.
    App("identity", publishes=("notification.requested", "contact_preferences.changed")),
)
APPS = tuple(a.name for a in APP_DEFINITIONS)
# Every other event type has one publisher. These are requests to notify, whose contract notify owns
# (a template and a recipient reference; a recipient's addresses): any app that has someone to tell
# publishes them, each under its own recipient kind (eservices ``person``, identity ``staff``).
NOTIFY_REQUESTS = ("notification.requested", "contact_preferences.changed")

# Insats' own tokens: the one app that mints them, and so the only one that may sign with the
# token signing key (kms:Sign). Every app verifies them with the public JWKS that app serves.
TOKEN_ISSUER_APP = "identity"


@dataclass(frozen=True)
class Table:
    name: str
    owner: str
    indexes: tuple[str, ...] = ("gsi1", "gsi2")
    ttl_attribute: str = "ttl"
    # Every change, old and new image: the outbox relay publishes the events a write put on its item.
    stream_view: str | None = "NEW_AND_OLD_IMAGES"

    def stream_specification(self) -> dict:
        """StreamSpecification, as both DynamoDB's API and CloudFormation spell it."""
        if self.stream_view is None:
            return {"StreamEnabled": False}
        return {"StreamEnabled": True, "StreamViewType": self.stream_view}

    def key_schema(self) -> dict[str, list]:
        """AttributeDefinitions, KeySchema and GlobalSecondaryIndexes, as both DynamoDB's API and
        CloudFormation spell them."""
        def keys(hash_key: str, range_key: str) -> list[dict[str, str]]:
            return [{"AttributeName": hash_key, "KeyType": "HASH"}, {"AttributeName": range_key, "KeyType": "RANGE"}]

        names = ["pk", "sk", *[f"{i}{part}" for i in self.indexes for part in ("pk", "sk")]]
        return {
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
            "KeySchema": keys("pk", "sk"),
            "GlobalSecondaryIndexes": [{"IndexName": i, "Projection": {"ProjectionType": "ALL"},
                                        "KeySchema": keys(f"{i}pk", f"{i}sk")} for i in self.indexes],
        }


@dataclass(frozen=True)
class Queue:
    name: str
    owner: str  # the app whose SQS handler consumes it
    handler: str  # that handler's function name in the app
    subscribes_to: tuple[str, ...] = ()  # event types from the domain-events topic
    topic: str | None = None  # another topic, all of whose messages the queue takes (SES feedback)
    max_receive_count: int = 5
    visibility_timeout: int = 60  # at least six times the handler's timeout, per AWS guidance
    batch_size: int = 10

    @property
    def dlq(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class Expiry:
    """S3 lifecycle: objects under ``prefix`` are deleted ``days`` after they were written (and a
    versioned bucket's older versions of them as well)."""

    prefix: str
    days: int


@dataclass(frozen=True)
class Bucket:
    name: str
    cors_origins: tuple[str, ...] = ("*",)
    expire: tuple[Expiry, ...] = ()

    def lifecycle_rules(self) -> list[dict]:
        """The rules in the S3 API's shape (``put_bucket_lifecycle_configuration``)."""
        return [{"ID": f"expire-{e.prefix.strip('/').replace('/', '-')}", "Status": "Enabled",
                 "Filter": {"Prefix": e.prefix}, "Expiration": {"Days": e.days},
                 "NoncurrentVersionExpiration": {"NoncurrentDays": e.days},
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}} for e in self.expire]


@dataclass(frozen=True)
class Stack:
    tables: tuple[Table, ...]
    queues: tuple[Queue, ...]
    topics: tuple[str, ...]
    buckets: tuple[Bucket, ...]
    email_identities: tuple[str, ...] = field(default=())
    apps: tuple[App, ...] = APP_DEFINITIONS


# Each table's indexes: two by default; the e-services' third is the audit trail's by resource
# ("who has read or changed this case?", ``AUDIT_RESOURCE#case:<id>``).
TABLE_INDEXES = {"eservices": ("gsi1", "gsi2", "gsi3")}

STACK = Stack(
    tables=tuple(Table(name=app, owner=app, indexes=TABLE_INDEXES.get(app, ("gsi1", "gsi2"))) for app in APPS),
    topics=("domain-events", "ses-feedback"),
    queues=(
        # Notify hears only requests and the preferences it resolves them with; sends are retried
        # with backoff (30 s doubling to 15 min) before a message reaches the DLQ.
        Queue("notify-inbox", owner="notify", handler="on_event", max_receive_count=8,
              subscribes_to=("notification.requested", "contact_preferences.changed")),
        Queue("notify-feedback", owner="notify", handler="on_feedback", topic="ses-feedback"),
        # Delivery statuses for Mina sidor; visits' changes for what waits on Att göra (the
        # deviations a case worker decides, counted per visit: e-services never read visits' table).
        Queue("eservices-inbox", owner="eservices", handler="on_event",
              subscribes_to=("notification.delivered", "notification.failed", "visit.changed")),
        Queue("visits-ingest", owner="visits", handler="on_visit_events", batch_size=10),
        Queue("visits-inbox", owner="visits", handler="on_event", subscribes_to=("decision.published",)),
        Queue("reports-inbox", owner="reports", handler="on_event",
              subscribes_to=("visit.changed", "absence.registered", "decision.published",
                             "rejected_events.changed")),
        Queue("billing-inbox", owner="billing", handler="on_event",
              subscribes_to=("visit.changed", "absence.registered", "decision.published",
                             "assignment.registered", "contact_report.approved")),
    ),
    # Personal data kept no longer than needed: an upload never attached to a message (attaching
    # copies it elsewhere) and a thread exported for the journal (fetched at once) go after a day.
    buckets=(Bucket("documents", expire=(Expiry("uploads/", 1), Expiry("exports/", 1))),),
    email_identities=("no-reply@insats.example",),
)


def queues_of(app: str) -> list[Queue]:
    return [q for q in STACK.queues if q.owner == app]


def queue(name: str) -> Queue:
    """A queue by its logical name (``KeyError`` if it is not defined)."""
    for q in STACK.queues:
        if q.name == name:
            return q
    raise KeyError(name)


def app(name: str) -> App:
    for a in STACK.apps:
        if a.name == name:
            return a
    raise KeyError(name)
