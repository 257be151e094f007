"""Findings beyond a report's own: against last year's report, against the sum of its children.

A library object (picklable, so that a session can send it to its worker processes: see
:mod:`govxl.session`): the command line builds one from --previous/--previous-dir and --children;
`govxl.check(path, previous=…, children=…)` and `govxl.check_many(…)` build one too.
"""

from __future__ import annotations

import os
from pathlib import Path


class Extras:
    """Called with each report where it was checked, while the report still has its values.

    `previous` is a :class:`govxl.crossyear.Previous` (last year's report, or a folder of them);
    `children` the files or folders of the reports a summary report should be the sum of."""

    def __init__(self, previous=None, children: str | os.PathLike | list[str | os.PathLike] | None = None) -> None:
        if isinstance(children, (str, os.PathLike)):
            children = [children]
        self.previous = previous
        self.children = [Path(c) for c in children] if children else None

    def __bool__(self) -> bool:
        return bool(self.previous) or bool(self.children)

    def __call__(self, report) -> list:
        out = self.previous.findings(report) if self.previous else []
        if self.children:
            from .aggregate import check_children

            out += check_children(report, self.children)
        return out
