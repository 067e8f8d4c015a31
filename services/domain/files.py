"""A file a use case hands back for download: where it is stored and what to call it. How it
reaches the client (the bytes, or a redirect to a short-lived address) is the HTTP layer's
choice (``services/entrypoints/downloads.py``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredFile:
    key: str  # in the documents bucket
    filename: str
    content_type: str = "application/pdf"
