"""Findings beyond a report's own: against last year's report, against the sum of its children.

A library object (picklable, so that a batch can send it to its worker processes): the command
line builds one from --previous/--previous-dir and --children; `govxl.check(path, previous=…,
children=…)` builds one too.
"""

from __future__ import annotations

from pathlib import Path


class Extras:
    """Called with each report where it was checked, while the report still has its values."""

    def __init__(self, previous=None, children: list[Path] | None = None) -> None:
        self.previous, self.children = previous, children

    def __bool__(self) -> bool:
        return bool(self.previous) or bool(self.children)

    def __call__(self, report) -> list:
        out = self.previous.findings(report) if self.previous else []
        if self.children:
            from .aggregate import check_children

            out += check_children(report, self.children)
        return out
