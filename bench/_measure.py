"""What the benchmarks share to measure (not a benchmark: ``bench/__main__`` skips names starting
with ``_``): one timed call, a profile on demand, and the alternated pairs a page/bare ratio is
taken from (each pair shares the machine's load of the moment)."""
from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any, Callable


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call, after a collection so an earlier call's garbage is not billed."""
    gc.collect()
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def profile_if(env: str, *fns: Callable[[], Any], lines: int = 40, sort: str = "cumulative") -> None:
    """With ``env`` set, each call profiled once and its top ``lines`` printed to stderr."""
    if not os.environ.get(env):
        return
    import cProfile
    import pstats

    for fn in fns:
        prof = cProfile.Profile()
        prof.runcall(fn)
        pstats.Stats(prof, stream=sys.stderr).sort_stats(sort).print_stats(lines)


def alternated(repeats: int, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[list[float], list[float]]:
    """``repeats`` timings of each, alternated first, second, first, …: (firsts, seconds)."""
    firsts: list[float] = []
    seconds: list[float] = []
    for _ in range(repeats):
        firsts.append(timed(first)[0])
        seconds.append(timed(second)[0])
    return firsts, seconds
