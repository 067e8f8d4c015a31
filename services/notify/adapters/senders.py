"""E-mail through SES and SMS through SNS. Bodies are built by notify's templates and never
carry personal data or case content.

Errors are sorted here, the only place that knows the providers' codes, into the ports'
``PermanentSendFailure`` (this address will not work: record it, suppress it, do not retry) or
``TransientSendFailure`` (try again later, with backoff)."""
from __future__ import annotations

from ...adapters.aws import client
from ...settings import settings
from ..ports import PermanentSendFailure, SendFailure, TransientSendFailure


# SES: MessageRejected covers an address on the account's suppression list or, in the sandbox, an
# unverified one; the InvalidParameterValue family a malformed address.
_SES_PERMANENT = {"MessageRejected": "rejected", "InvalidParameterValue": "invalid_address",
                  "MailFromDomainNotVerifiedException": "rejected", "AccountSendingPausedException": None}
# SNS: InvalidParameter(s) is a number SNS will not send to; OptedOut a number that replied STOP.
_SNS_PERMANENT = {"InvalidParameter": "invalid_address", "InvalidParameterValue": "invalid_address",
                  "OptedOut": "rejected"}


def _translate(exc: Exception, permanent: dict[str, str | None]) -> SendFailure:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        reason = permanent.get(code)
        if reason:
            return PermanentSendFailure(reason)
        return TransientSendFailure(code or "error")
    return TransientSendFailure(type(exc).__name__)  # connection errors, timeouts


class SesEmailSender:
    def __init__(self, configuration_set: str = "") -> None:
        self.configuration_set = configuration_set  # routes bounces and complaints to notify's feedback queue

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        kwargs = {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        try:
            result = client("ses").send_email(
                Source=settings().mail_sender,
                Destination={"ToAddresses": [to]},
                Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                         "Body": {"Text": {"Data": text, "Charset": "UTF-8"},
                                  "Html": {"Data": html, "Charset": "UTF-8"}}},
                **kwargs,
            )
        except Exception as exc:  # noqa: BLE001 - sorted into permanent or transient
            raise _translate(exc, _SES_PERMANENT) from exc
        return result["MessageId"]


class SnsSmsSender:
    def __init__(self, sender_id: str = "Insats") -> None:
        self.sender_id = sender_id

    def send(self, to: str, body: str) -> str:
        try:
            result = client("sns").publish(
                PhoneNumber=to,
                Message=body,
                MessageAttributes={
                    "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self.sender_id},
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                },
            )
        except Exception as exc:  # noqa: BLE001 - sorted into permanent or transient
            raise _translate(exc, _SNS_PERMANENT) from exc
        return result["MessageId"]
