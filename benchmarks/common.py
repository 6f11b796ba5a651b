"""The harness every benchmark script shares: timing, taking turns with a baseline, printing, the browser.

A benchmark prints each figure next to a baseline measured in the same run; `alternate` takes the two
in turn so that both meet the same machine load, and every script prints the load average (other
work on the machine makes every time noisier). Nothing here comes from ``tests/``.
"""

from __future__ import annotations

import os
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
MB = 1_000_000
# Debian's Chromium, as the browser tests use it (Playwright's own browser download is not used).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def median(values: list[float]) -> float:
    """Return the median of measured values."""
    return statistics.median(values)


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages of the machine as text."""
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def seconds_and_result(fn: Callable[[], T]) -> tuple[float, T]:
    """Return (wall seconds, result) of one call of `fn`."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def seconds(fn: Callable[[], Any]) -> float:
    """Return the wall seconds of one call of `fn`."""
    return seconds_and_result(fn)[0]


def timed(fn: Callable[[], Any], repeats: int) -> float:
    """Return the median wall seconds of `repeats` calls of `fn`."""
    return median([seconds(fn) for _ in range(repeats)])


def alternate(ours: Callable[[], T], base: Callable[[], T] | None, repeats: int) -> tuple[list[T], list[T]]:
    """Return `repeats` results of two measurements taken in turn, so that both see the same machine load."""
    ours_results: list[T] = []
    base_results: list[T] = []
    for _ in range(repeats):
        ours_results.append(ours())
        if base is not None:
            base_results.append(base())
    return ours_results, base_results


def free_port() -> int:
    """Return a TCP port on localhost that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Row:
    """One measured figure next to its baseline."""

    label: str
    ours: float | None
    base: float | None
    unit: str  # "s" or "MB"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Return ours / baseline, or None when either is missing."""
        if self.ours is None or not self.base:
            return None
        return self.ours / self.base


def fmt(value: float | None, unit: str) -> str:
    """Return a value with its unit, or a dash when it was not measured."""
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value / MB:.3f} MB"
    return f"{value:.3f} s"


def print_section(title: str, rows: list[Row]) -> None:
    """Print one table of figures with their baselines and ratios."""
    print(f"\n## {title}")
    print(f"{'figure':<52} {'ours':>11} {'baseline':>11} {'ratio':>7}  note")
    print("-" * 100)
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
        print(f"{row.label:<52} {fmt(row.ours, row.unit):>11} {fmt(row.base, row.unit):>11} {ratio:>7}  {row.note}")
