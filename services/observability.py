"""Powertools Logger and Metrics, with personnummer masked in every log line.

Module-level ``logger = get_logger("eservices")`` in each app; no personal data is logged on
purpose, and the formatter masks anything personnummer-shaped that slips through.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .domain.personnummer import mask_text

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "Insats"


@cache
def _masking_formatter_class() -> type:
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class MaskingFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: dict) -> str:  # type: ignore[override]
            return mask_text(super().serialize(log))

    return MaskingFormatter


class _LazyLogger:
    """A Powertools Logger built on first use: importing Powertools (and what it pulls) is a
    large part of a Lambda's cold start, and modules take their logger at import."""

    __slots__ = ("_service", "_logger")

    def __init__(self, service: str) -> None:
        self._service = service
        self._logger: Any = None

    def _real(self) -> Logger:
        if self._logger is None:
            from aws_lambda_powertools import Logger

            self._logger = Logger(service=self._service, logger_formatter=_masking_formatter_class()(), utc=True)
        return self._logger

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


@cache
def get_logger(service: str) -> Logger:
    return _LazyLogger(service)  # type: ignore[return-value]


@cache
def get_metrics(service: str) -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=service)


def audit_line(logger: Logger, event: str, **fields: object) -> None:
    """A structured audit log line (refused requests, security events). No personal data.
    Logged as a warning so that a quieter log level never drops it."""
    logger.warning(event, extra={"audit": True, **fields})
