"""The repository stands alone: nothing tracked names a path outside it, and the copy of the
published 南关区 2023 report that the import tests read holds its tables, not its prose."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
from conftest import ROOT

from govxl.spec import edition_ids, load_edition, templates_dir

# Spelled in pieces so that this file does not mention them itself.
OUTSIDE = ("../" + "shared", "/work/" + "shared", "FORMAT" + ".md", "STYLE" + ".md")


def tracked_text_files() -> dict[str, str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    out = {}
    for name in names.decode("utf-8").split("\0"):
        path = ROOT / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:  # xlsx, docx, png: binary
            continue
        try:
            out[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return out


def outside_mentions(files: dict[str, str]) -> list[str]:
    return [f"{name}:{n}: {line.strip()}" for name, text in files.items()
            for n, line in enumerate(text.splitlines(), 1) if any(word in line for word in OUTSIDE)]


def test_no_tracked_file_names_a_path_outside_the_repository():
    files = tracked_text_files()
    assert "README.md" in files and "tests/conftest.py" in files
    assert "docs/example/nanguan-2023.docx" not in files  # binary files are skipped
    hits = outside_mentions(files)
    assert not hits, "\n".join(hits)


def test_the_search_is_not_blind():
    files = {"a.md": f"ok\nsee {OUTSIDE[0]}/reference/x.txt", "b.py": f"# typed from {OUTSIDE[1]}", "c.md": "docs/format.md",
             "d.py": f'"""see {OUTSIDE[2]}, practice 5"""'}
    assert outside_mentions(files) == [f"a.md:2: see {OUTSIDE[0]}/reference/x.txt", f"b.py:1: # typed from {OUTSIDE[1]}",
                                       f'd.py:1: """see {OUTSIDE[2]}, practice 5"""']


REFERENCE = ROOT / "examples" / "nanguan-2023-tables.txt"


def official_strings() -> set[str]:
    out: set[str] = set()
    for ed_id in edition_ids():
        ed = load_edition(ed_id)
        out |= {lb.text for t in ed.tables for lb in t.labels} | {t.title for t in ed.tables}
        if ed.report is not None:
            out |= {s.heading for s in ed.report.sections}
    return out


def test_reference_report_holds_only_its_title_headings_labels_and_numbers():
    """The fixture keeps the published figures and the official labels; none of the report's prose."""
    ed = load_edition("2021")
    official = official_strings()
    variants = tomllib.loads((templates_dir() / "import.toml").read_text(encoding="utf-8"))["variants"]
    title = re.compile(re.escape(ed.report.title).replace(r"\{year\}", r"\d{4}").replace(r"\{agency\}", r"\S{2,30}?"))
    lines = [ln.strip() for ln in REFERENCE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert title.fullmatch(lines[0]), lines[0]
    numbers = 0
    for line in lines[1:]:
        if re.fullmatch(r"\d+(\.\d+)?", line):
            numbers += 1
            continue
        for v in variants:
            for seen in v["seen"]:
                line = line.replace(seen, v["official"])
        assert line in official, f"not an official label: {line}"
    assert numbers == 10 + 25 * 7 + 15
