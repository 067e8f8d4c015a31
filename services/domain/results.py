"""What a use case returns when the answer is not data: a file, or an address to go to.

The use case says *what*; the HTTP layer (``services/entrypoints/files.py``, and
``downloads.py`` for stored files) says *how* (303, Cache-Control, Content-Disposition, the
next page's cursor).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileResult:
    """A file made for this answer (an export): always its body. A file kept in the document
    store is a ``services.domain.files.StoredFile`` instead (bytes or a short-lived address)."""

    filename: str
    content_type: str
    body: bytes | str
    next_cursor: str | None = None  # an export of a longer list: where the next part starts


@dataclass(frozen=True)
class Redirect:
    """Go to ``location`` (a short-lived address of a private file)."""

    location: str


@dataclass(frozen=True)
class Page:
    """A bounded part of a longer list: ``items``, and the cursor of the next part (None at the end)."""

    items: list[Any] = field(default_factory=list)
    next_cursor: str | None = None
