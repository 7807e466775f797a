"""Timing as a benchmark: the median of repeats, and ratios measured in one run.

Speed claims in the course are ratios (your kernel vs numpy/torch) measured
side by side, printed, never asserted in tests.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Timing:
    """Seconds per call: median and best of ``repeat`` measurements."""
    median: float
    best: float
    runs: tuple[float, ...]

    def __str__(self) -> str:
        return f"{format_seconds(self.median)} (median of {len(self.runs)}, best {format_seconds(self.best)})"


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _check_counts(repeat: int, number: int, warmup: int) -> None:
    for name, value, low in (("repeat", repeat, 1), ("number", number, 1), ("warmup", warmup, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


def time_fn(fn: Callable, *args, repeat: int = 5, number: int = 1, warmup: int = 1,
            clock: Callable[[], float] | None = None, **kwargs) -> Timing:
    """Time ``fn(*args, **kwargs)``: ``warmup`` untimed calls, then ``repeat`` timings
    of ``number`` calls each; returns seconds per call. ``clock`` defaults to ``time.perf_counter``
    (wall clock); ``time.thread_time`` counts only this thread's CPU time, which waiting for a busy core
    does not inflate."""
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    if clock is not None and not callable(clock):
        raise ValueError(f"clock must be a callable returning seconds, got {type(clock).__name__}")
    clock = clock or time.perf_counter
    _check_counts(repeat, number, warmup)
    for _ in range(warmup):
        fn(*args, **kwargs)
    runs = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn(*args, **kwargs)
        runs.append((clock() - start) / number)
    return Timing(statistics.median(runs), min(runs), tuple(runs))


def speedup(baseline: Callable, candidate: Callable, *args, repeat: int = 5, number: int = 1,
            warmup: int = 1, **kwargs) -> float:
    """How many times faster ``candidate`` is than ``baseline`` on the same arguments
    (median time of baseline / median time of candidate), measured in one run."""
    base = time_fn(baseline, *args, repeat=repeat, number=number, warmup=warmup, **kwargs)
    cand = time_fn(candidate, *args, repeat=repeat, number=number, warmup=warmup, **kwargs)
    return base.median / cand.median


def gflops(flops: float, seconds: float) -> float:
    """Achieved GFLOP/s for ``flops`` floating-point operations done in ``seconds``."""
    if flops < 0 or seconds <= 0:
        raise ValueError(f"need flops >= 0 and seconds > 0, got flops={flops}, seconds={seconds}")
    return flops / seconds / 1e9
