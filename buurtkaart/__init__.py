"""Buurtkaart: map the places where people meet, for Brussels social organisations."""

from __future__ import annotations

__version__ = "0.1.0"
