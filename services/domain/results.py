"""What a use case returns when the answer is not data: a file, or an address to go to.

The use case says *what* (the file's name and type, how to read it, where a short-lived copy
lives); the HTTP layer (``services/entrypoints/files.py``) says *how* (Accept, 303,
Cache-Control, Content-Disposition).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileResult:
    """A file for the caller: ``body`` as it is, or ``fetch()`` when bytes are wanted. With a
    ``link`` (a short-lived address), a client that does not accept ``content_type`` is sent
    there instead of getting bytes."""

    filename: str
    content_type: str
    body: bytes | str | None = None
    fetch: Callable[[], bytes] | None = None
    link: Callable[[], str] | None = None
    next_cursor: str | None = None  # an export of a longer list: where the next part starts

    def content(self) -> bytes | str:
        if self.body is not None:
            return self.body
        assert self.fetch is not None, "a FileResult needs a body or a way to fetch it"
        return self.fetch()


@dataclass(frozen=True)
class Redirect:
    """Go to ``location`` (a short-lived address of a private file)."""

    location: str


def stored_file(store: Any, key: str, filename: str, content_type: str) -> FileResult:
    """A file kept in the document store: bytes to a client that accepts its type, otherwise a
    presigned address (API Gateway returns binary bodies only to a matching Accept)."""
    return FileResult(filename=filename, content_type=content_type, fetch=lambda: store.get(key),
                      link=lambda: store.presigned_get(key, filename=filename))


@dataclass(frozen=True)
class Page:
    """A bounded part of a longer list: ``items``, and the cursor of the next part (None at the end)."""

    items: list[Any] = field(default_factory=list)
    next_cursor: str | None = None
