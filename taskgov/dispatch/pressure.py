"""Backpressure: hold new starts while the machine is loaded.

``--cpu-threshold`` and ``--memory-threshold`` are percentages of the whole machine (psutil:
CPU use since the last sample, all cores; memory in use). While either is above its
threshold no new command starts; running ones go on, finished ones are merged. The load is
sampled at most once every ``every`` seconds, so the CPU figure covers a useful interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from taskgov.errors import UsageError

Sampler = Callable[[], tuple[float, float]]  # (CPU %, memory %)


def psutil_sampler() -> Sampler:
    """The machine's load from psutil (imported here: only a run with thresholds pays)."""
    import psutil

    psutil.cpu_percent(interval=None)  # the first call only starts the measurement

    def sample() -> tuple[float, float]:
        return psutil.cpu_percent(interval=None), psutil.virtual_memory().percent

    return sample


class Backpressure:
    """A run's gate (``RunExtras.gate``): ``""`` while starts may go on, else why not."""

    def __init__(
        self,
        cpu: float | None = None,
        memory: float | None = None,
        sampler: Sampler | None = None,
        every: float = 0.5,
    ) -> None:
        for name, value in (("--cpu-threshold", cpu), ("--memory-threshold", memory)):
            if value is not None and not 0 <= value <= 100:
                raise UsageError(f"{name}: a percentage between 0 and 100")
        self.cpu, self.memory, self.every = cpu, memory, every
        self.sampler = sampler or psutil_sampler()
        self.sampled_at = -float("inf")
        self.last: tuple[float, float] = (0.0, 0.0)
        self.reason = ""

    def __call__(self) -> str:
        now = time.monotonic()
        if now - self.sampled_at >= self.every:
            self.sampled_at = now
            self.last = self.sampler()
            cpu, memory = self.last
            over = []
            if self.cpu is not None and cpu > self.cpu:
                over.append(f"CPU {cpu:.0f}% > {self.cpu:g}%")
            if self.memory is not None and memory > self.memory:
                over.append(f"memory {memory:.0f}% > {self.memory:g}%")
            self.reason = ", ".join(over)
        return self.reason
