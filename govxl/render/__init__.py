"""Render a checked workbook as the published report: HTML, Word (.docx) or Markdown.

Without a text file the document holds sections 二, 三 and 四 (the tables under their
official headings); with one (see :mod:`govxl.narrative`) it is the whole report, titled
``YYYY年<机关名称>政府信息公开工作年度报告``, with the six sections in official order.
Headings, order, labels and merges all come from the edition spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import Join
from ..errors import CheckFailedError, UsageError
from ..export import usable_values
from ..narrative import Narrative, check_text, layout_of, title_lines
from ..report.findings import Finding, Report
from ..spec import Edition, load_edition
from .document import Document, Part
from .grid import grid

FORMATS = {"html": ".html", "md": ".md", "docx": ".docx"}


def build(report: Report, edition: Edition, text: Narrative | None = None) -> Document:
    """The document of a report: the tables only, or (with `text`) the whole report."""
    layout = layout_of(edition)
    values = usable_values(report, edition)
    lines = title_lines(edition, report.agency, report.year, text)
    title = "".join(lines) or None
    if text is not None and title is None:
        raise UsageError(code="U-NOTITLE")
    parts: list[Part] = []
    for sec in layout.sections:
        if sec.table is not None:
            t = edition.table(sec.table)
            parts.append(Part(sec.heading, table=t, rows=grid(t, values)))
        elif text is not None:
            parts.append(Part(sec.heading, paragraphs=list(text.sections.get(sec.key, []))))
    return Document(edition, title, list(text.preamble) if text else [], parts, report.agency, report.year,
                    lines, title or edition.cover.raw["title"]["text"])


@dataclass
class Rendered:
    path: Path
    findings: list[Finding]


def render_report(report: Report, to: str, out: str | os.PathLike, *, text: Narrative | None = None,
                  force: bool = False, inputs: tuple[str | os.PathLike, ...] = ()) -> Rendered:
    """Write the report as `to` (html, md, docx) to `out`; returns the text's findings (R-TEXT,
    R-FEE, R-SECTION). A report that failed its check raises CheckFailedError unless `force`."""
    from ..safefile import atomic_write, prepare_output

    if to not in FORMATS:
        raise UsageError(code="U-RENDER-FORMAT", to=to, formats=Join(tuple(FORMATS)))
    if not report.ok() and not force:
        raise CheckFailedError(report)
    path = prepare_output(out, force=True, suffix=FORMATS[to], inputs=(report.file, *inputs))
    edition = load_edition(report.edition)
    doc = build(report, edition, text)
    findings = check_text(text, edition, usable_values(report, edition)) if text is not None else []
    if to == "docx":
        from .word import write_docx

        atomic_write(path, lambda tmp: write_docx(doc, tmp))
    else:
        if to == "html":
            from .html import to_html as render
        else:
            from .markdown import to_markdown as render
        data = render(doc).encode("utf-8")
        atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    return Rendered(path, findings)
