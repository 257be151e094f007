"""The document a report renders to: its title and its parts (sections with paragraphs or a
table), as plain data for the HTML, Markdown and Word writers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec import Edition, Table
from .grid import Cell


@dataclass
class Part:
    """A section of the document: its official heading and either paragraphs or a table."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    rows: list[list[Cell]] | None = None


@dataclass
class Document:
    edition: Edition
    title: str | None
    preamble: list[str]
    parts: list[Part]
    agency: str | None = None
    year: int | None = None
    title_lines: list[str] = field(default_factory=list)  # where a long title may break
    page_title: str = ""  # the title, or (tables only, no agency/year) the cover sheet's title
