"""The wheel carries the spec files: build it, install it in a fresh venv outside the source tree, run it."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd, cwd=None):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
    return r


def test_wheel_installs_and_runs_outside_the_tree(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT)
    wheel = next(dist.glob("govxl-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "govxl/templates/2021.toml" in names and "govxl/templates/cover.toml" in names
    assert "govxl/templates/2019.toml" in names
    assert "govxl/schema/export.schema.json" in names
    assert "govxl/templates/aggregate.toml" in names
    assert "govxl/templates/import.toml" in names
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    run(py, "-m", "pip", "install", "-q", wheel)
    work = tmp_path / "elsewhere"
    work.mkdir()
    run(env / "bin" / "govxl", "new", "a.xlsx", "--agency", "甲", "--year", "2025", cwd=work)
    wb = openpyxl.load_workbook(work / "a.xlsx")
    assert wb.sheetnames[0] == "封面" and len(wb.sheetnames) >= 4
    where = run(py, "-c", "import govxl.spec as s; print(s.templates_dir())", cwd=work).stdout.strip()
    assert str(env) in where, "templates must come from the installed package, not the source tree"
    run(py, "-c", "import govxl.export as e; assert e.schema()['title'] == 'govxl export'", cwd=work)
    run(env / "bin" / "govxl", "render", "a.xlsx", "-o", "a.docx", "--allow-errors", cwd=work)  # python-docx came along
    assert (work / "a.docx").is_file()
    (work / "r.html").write_bytes((ROOT / "docs" / "example" / "nanguan-2023.html").read_bytes())
    run(env / "bin" / "govxl", "import", "r.html", "-o", "r.xlsx", cwd=work)  # lxml came along too
    run(env / "bin" / "govxl", "check", "r.xlsx", cwd=work)
