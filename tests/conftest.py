from __future__ import annotations

from pathlib import Path

import pytest

import govxl
from govxl.spec import edition_ids, load_edition

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=edition_ids())
def ed(request):
    """Every test that takes `ed` runs once per known edition."""
    return load_edition(request.param)


@pytest.fixture
def ed2021():
    return load_edition("2021")


@pytest.fixture
def blank(tmp_path, ed):
    """A freshly generated blank workbook of the edition under test."""
    return govxl.new(tmp_path / "blank.xlsx", edition=ed.id, agency="测试县人民政府办公室", year=ed.first_year + 2)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # @pytest.mark.libreoffice: skipped locally when LibreOffice is missing, failed when CI=true
    # (tests/libreoffice.py, require_libreoffice).
    marker = item.get_closest_marker("libreoffice")
    if marker is not None:
        from libreoffice import require_libreoffice

        require_libreoffice(uno=marker.kwargs.get("uno", False))
    # @pytest.mark.chromium: the same for a headless Chromium (tests/chromium.py, require_chromium).
    if item.get_closest_marker("chromium") is not None:
        from chromium import require_chromium

        require_chromium()
    # @pytest.mark.ocr: the same for govxl[ocr], text recognition of scans (tests/scans.py).
    if item.get_closest_marker("ocr") is not None:
        from scans import require_ocr

        require_ocr()
    # @pytest.mark.tesseract: the same for the Tesseract program, OCR's second engine (tests/scans.py).
    if item.get_closest_marker("tesseract") is not None:
        from scans import require_tesseract

        require_tesseract()
    # @pytest.mark.postgres: the same for PostgreSQL's initdb/pg_ctl (tests/desk_support.py).
    if item.get_closest_marker("postgres") is not None:
        from desk_support import require_postgres

        require_postgres()
