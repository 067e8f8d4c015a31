"""Time, injectable: use cases take a ``Clock`` so tests can move it; ``utc_now`` is the one clock
every app uses when nothing else is given.

On the local stage only, ``INSATS_CLOCK`` (an instant with its UTC offset, e.g.
``2027-01-08T09:00+01:00``) is the time the stack starts at; from there the clock runs on in real
time. ``INSATS_CLOCK_FROM`` is the real instant (Unix seconds) that time was set at, so that every
process of the stack (and ``make report`` beside it) reads the same time; without it a process
starts its clock at its own start. Any other stage refuses ``INSATS_CLOCK``: production time is
never shifted.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable, Mapping

Clock = Callable[[], datetime]
EXAMPLE = "2027-01-08T09:00+01:00"


class ClockRefused(RuntimeError):
    """``INSATS_CLOCK`` where it may not be used, or not an instant."""


@lru_cache(maxsize=8)
def _offset(start: str, anchor: str, stage: str) -> timedelta:
    if not start:
        return timedelta(0)
    if stage != "local":
        raise ClockRefused(f"INSATS_CLOCK sets the time on the local stage only; this is the {stage!r} stage. "
                           "Unset INSATS_CLOCK.")
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ClockRefused(f"INSATS_CLOCK={start!r} is not an instant with its UTC offset, e.g. {EXAMPLE}")
    try:
        real_start = float(anchor) if anchor else time.time()
    except ValueError:
        raise ClockRefused(f"INSATS_CLOCK_FROM={anchor!r} is not a Unix time in seconds") from None
    return at - datetime.fromtimestamp(real_start, timezone.utc)


def offset(environ: Mapping[str, str]) -> timedelta:
    """How far the clock is moved from real time by ``environ``; ``ClockRefused`` where it may not be."""
    return _offset(environ.get("INSATS_CLOCK", "").strip(), environ.get("INSATS_CLOCK_FROM", "").strip(),
                   environ.get("INSATS_STAGE") or "local")


def clock_from(environ: Mapping[str, str]) -> Clock:
    shift = offset(environ)
    return lambda: datetime.now(timezone.utc) + shift


def utc_now() -> datetime:
    return datetime.now(timezone.utc) + offset(os.environ)
