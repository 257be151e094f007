"""One judge for every source: plain report data in (govxl.judge.data), a Report out (govxl.judge.core)."""

from __future__ import annotations

from .core import BROKEN, HELD, NOT_VERIFIED, judge
from .data import BLANK, IN_SUM, NA, UNKNOWN, ReportData, Sum

__all__ = ["judge", "ReportData", "Sum", "HELD", "BROKEN", "NOT_VERIFIED", "BLANK", "NA", "UNKNOWN", "IN_SUM"]
