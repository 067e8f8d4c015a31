"""Powertools Logger and Metrics, with personnummer masked in every log line.

Module-level ``logger = get_logger("eservices")`` in each app; no personal data is logged on
purpose, and the formatter masks anything personnummer-shaped that slips through.
"""
from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from .domain.personnummer import mask_text

NAMESPACE = "Insats"


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict) -> str:  # type: ignore[override]
        return mask_text(super().serialize(log))


@cache
def get_logger(service: str) -> Logger:
    return Logger(service=service, logger_formatter=MaskingFormatter(), utc=True)


@cache
def get_metrics(service: str) -> Metrics:
    return Metrics(namespace=NAMESPACE, service=service)


def audit_line(logger: Logger, event: str, **fields: object) -> None:
    """A structured audit log line (refused requests, security events). No personal data.
    Logged as a warning so that a quieter log level never drops it."""
    logger.warning(event, extra={"audit": True, **fields})
