"""The login's refusal: one class for the broker's and the directory's (``services/domain/errors.py``)."""
from __future__ import annotations

from ...domain.errors import LoginRefused

__all__ = ["LoginRefused"]
