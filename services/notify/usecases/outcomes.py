"""What a use case tells notify's queue about a message it could not finish."""
from __future__ import annotations


class Retry(Exception):
    """Try this message again later (backoff through the queue's visibility)."""


class Poison(Exception):
    """A message that can never succeed (unknown template, parameters it does not take)."""
