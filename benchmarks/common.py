"""What the benchmark scripts share: how a set of timings is summed up and how busy the machine was."""

from __future__ import annotations

import os
import statistics


def median(values: list[float]) -> float:
    """Return the median of measured values."""
    return statistics.median(values)


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages of the machine as text."""
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())
