"""Opaque cursors for paged lists: where the next page starts, tied to the list it came from.

A cursor is base64 of a small JSON document; a client cannot read meaning into it, and a cursor
of one list (or a made-up one) is refused as a bad field rather than read as something else.
"""
from __future__ import annotations

import base64
import binascii
import json

from .errors import ValidationFailed


def encode_cursor(kind: str, position: str) -> str:
    raw = json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, field: str = "query.cursor") -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        data = None
    if (not isinstance(data, dict) or data.get("k") != kind or set(data) != {"k", "p"}
            or not isinstance(data["p"], str)):
        raise ValidationFailed.field(field, "not a cursor from this list")
    return data["p"]
