"""E-mail through SES and SMS through SNS. Bodies are built by notify's templates and never
carry personal data or case content."""
from __future__ import annotations

from typing import Protocol

from ..aws import client
from ..settings import settings


class EmailSender(Protocol):
    def send(self, to: str, subject: str, body: str) -> str: ...


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> str: ...


class SesEmailSender:
    def send(self, to: str, subject: str, body: str) -> str:
        result = client("ses").send_email(
            Source=settings().mail_sender,
            Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
        )
        return result["MessageId"]


class SnsSmsSender:
    def send(self, to: str, body: str) -> str:
        result = client("sns").publish(
            PhoneNumber=to,
            Message=body,
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Insats"},
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return result["MessageId"]


class RecordingEmailSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> str:
        self.sent.append((to, subject, body))
        return f"mail-{len(self.sent)}"


class RecordingSmsSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> str:
        self.sent.append((to, body))
        return f"sms-{len(self.sent)}"
