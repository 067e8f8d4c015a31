"""The login's refusal. ``services/auth/broker.py`` defines the same class for the broker client's
refusals; until the two are unified this one is the identity context's (same constructor)."""
from __future__ import annotations


class LoginRefused(Exception):
    """Every refusal of a login; ``reason`` is a stable code for the audit, ``message`` Swedish and
    says what the person should do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
