"""Cursors of the lists that can grow: an opaque token to the client, a position to the store."""
from __future__ import annotations

import base64
import json
from typing import Any

from ..domain.errors import ValidationFailed

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, field: str = "query.cursor") -> dict[str, Any] | None:
    if not token:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(position, dict):
            raise ValueError
        return position
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field(field, "not a cursor this list handed out") from None
