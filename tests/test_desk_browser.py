"""`govxl desk` in a real browser: Debian's Chromium driven by Selenium against the desk running
as its own server process (`govxl desk FOLDER`), on SQLite and on PostgreSQL.

The office opens a season, adds three units and downloads a workbook; a unit fills it
(openpyxl), uploads it, sees T3-BAL on the right cells, fixes it, uploads again and passes;
another unit sends a failing report; the dashboard shows 1 passed, 1 failed, 1 missing; the
roll-up downloads and passes `govxl check`.

With GOVXL_DESK_SCREENSHOTS=DIR the dashboard and the findings page are also saved there
(docs/desk-dashboard.png and docs/desk-findings.png in README were made so).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("selenium")
pytest.importorskip("flask")

from cli import run
from desk_support import (  # noqa: E402
    PASSWORD,
    DeskServer,
    browser,
    fill,
    fresh_database,
    good_values,
    pg_cluster,
    quit_browser,
    require_chromedriver,
    unbalanced_values,
    wait_download,
)

import govxl  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ED = load_edition("2021")
UNITS = ["东城区人民政府办公室", "西城区人民政府办公室", "南城区人民政府办公室"]


@pytest.fixture(scope="module")
def pg():
    with pg_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path):
    db = fresh_database(request.getfixturevalue("pg")) if request.param == "postgres" else None
    s = DeskServer(tmp_path / "desk", db=db, jobs=1)
    yield s
    s.stop()


def shot(driver, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    driver.save_screenshot(str(out))
    assert out.stat().st_size > 10_000
    target = os.environ.get("GOVXL_DESK_SCREENSHOTS")
    if target:
        shutil.copy(out, Path(target) / name)


@pytest.mark.chromium
def test_a_season_in_the_browser(server, tmp_path):
    from selenium.webdriver.common.by import By

    require_chromedriver()
    office_dl, unit_dl = tmp_path / "office-dl", tmp_path / "unit-dl"
    office_dl.mkdir()
    unit_dl.mkdir()
    office = browser(office_dl)
    unit = browser(unit_dl, height=1800)
    try:
        css = office.find_element
        # the office logs in, opens the 2025 season, adds three units
        office.get(server.url + "login")
        css(By.ID, "password").send_keys(PASSWORD)
        css(By.ID, "login").click()
        css(By.ID, "year").clear()
        css(By.ID, "year").send_keys("2025")
        css(By.ID, "agency").send_keys("北城市人民政府办公室")
        css(By.ID, "open-season").click()
        css(By.ID, "names").send_keys("\n".join(UNITS))
        css(By.ID, "add-units").click()
        rows = office.find_elements(By.CSS_SELECTOR, "#units tbody tr")
        assert [r.get_attribute("data-unit") for r in rows] == UNITS
        dashboard = office.current_url

        # ... downloads the first unit's workbook
        rows[0].find_element(By.CSS_SELECTOR, "a.blank").click()
        blank = wait_download(office_dl, ".xlsx", set())
        rep = govxl.check(blank)
        assert (rep.agency, rep.year) == (UNITS[0], 2025)

        # ... and hands the units their links
        links = []
        for i in range(2):
            office.get(dashboard)
            office.find_elements(By.CSS_SELECTOR, "#units tbody tr td:nth-child(2) a")[i].click()
            links.append(css(By.ID, "unit-link").text.strip())
        assert links[0] != links[1] and all(link.startswith(server.url + "u/") for link in links)

        # a unit fills in its workbook with one number wrong, uploads it
        bad = fill(blank, tmp_path / "东城区2025年报.xlsx", ED, unbalanced_values(ED))
        unit.get(links[0])
        unit.find_element(By.ID, "file").send_keys(str(bad))
        unit.find_element(By.ID, "upload").click()
        assert unit.find_element(By.ID, "verdict").get_attribute("data-status") == "failed"
        marked = {td.get_attribute("data-cell") for td in unit.find_elements(
            By.CSS_SELECTOR, 'table[data-table="requests"] td[data-codes~="T3-BAL"]')}
        named = {c.strip() for f in govxl.check(bad).findings if f.rule == "T3-BAL" for c in f.cell.split(",")}
        assert ED.field(("requests", "new", "natural_person")).cell in named
        assert marked == named
        shot(unit, tmp_path, "desk-findings.png")
        # ... downloads the marked copy: the same findings, in the workbook
        unit.find_element(By.ID, "marked").click()
        copy = wait_download(unit_dl, ".xlsx", set())
        assert [f.rule for f in govxl.check(copy).findings] == [f.rule for f in govxl.check(bad).findings]

        # ... fixes it and uploads again: passed
        good = fill(blank, tmp_path / "东城区2025年报（改）.xlsx", ED, good_values(ED))
        unit.get(links[0])
        unit.find_element(By.ID, "file").send_keys(str(good))
        unit.find_element(By.ID, "upload").click()
        assert unit.find_element(By.ID, "verdict").get_attribute("data-status") == "passed"

        # the second unit sends a failing report; the third sends nothing
        unit.get(links[1])
        unit.find_element(By.ID, "file").send_keys(str(bad))
        unit.find_element(By.ID, "upload").click()
        assert unit.find_element(By.ID, "verdict").get_attribute("data-status") == "failed"
        # a unit's link does not open the office's pages
        unit.get(dashboard)
        assert "/login" in unit.current_url

        # the dashboard: 1 passed, 1 failed, 1 missing
        office.get(dashboard)
        counts = {k: css(By.ID, f"n-{k}").text for k in ("total", "submitted", "passed", "failed", "missing")}
        assert counts == {"total": "3", "submitted": "2", "passed": "1", "failed": "1", "missing": "1"}
        status = [r.get_attribute("data-status") for r in office.find_elements(By.CSS_SELECTOR, "#units tbody tr")]
        assert status == ["passed", "failed", "missing"]
        shot(office, tmp_path, "desk-dashboard.png")

        # the roll-up, one click: a summary workbook that passes `govxl check`
        before = {p.name for p in office_dl.iterdir()}
        css(By.ID, "rollup").click()
        summary = wait_download(office_dl, ".xlsx", before)
        res = run("check", summary)
        assert res.returncode == 0, res.stdout + res.stderr
        assert govxl.check(summary).values == govxl.check(good).values
        # ... and the units left out, each with its reason, on the page
        left = {r.get_attribute("data-unit"): r.find_elements(By.TAG_NAME, "td")[2].text
                for r in office.find_elements(By.CSS_SELECTOR, "#left-out tbody tr")}
        assert set(left) == set(UNITS[1:]) and left[UNITS[2]] == "未报送" and left[UNITS[1]].startswith("最近一次上传不通过")

        # the third unit sends the first unit's report: not plain 通过, it waits for the office
        office.get(dashboard)
        office.find_elements(By.CSS_SELECTOR, "#units tbody tr td:nth-child(2) a")[2].click()
        third = css(By.ID, "unit-link").text.strip()
        unit.get(third)
        unit.find_element(By.ID, "file").send_keys(str(good))
        unit.find_element(By.ID, "upload").click()
        v = unit.find_element(By.ID, "verdict")
        assert v.get_attribute("data-standing") == "held" and v.text != "通过"
        assert {li.get_attribute("data-rule") for li in unit.find_elements(By.CSS_SELECTOR, "#desk-findings li")} == {
            "D-AGENCY", "D-COPY"}
        # the office sees it waiting, opens it and counts it
        office.get(dashboard)
        row = office.find_element(By.CSS_SELECTOR, f'#units tbody tr[data-unit="{UNITS[2]}"]')
        assert row.get_attribute("data-status") == "held"
        row.find_element(By.CSS_SELECTOR, "td.held a").click()
        css(By.ID, "count").click()
        assert "已确认：计入汇总" in css(By.CSS_SELECTOR, "p.flash").text  # the decision's page, before going on
        office.get(dashboard)
        assert css(By.ID, "counted").text == "2"
        # the season closed: the unit's page takes no more uploads
        css(By.ID, "close").click()
        assert css(By.ID, "closed").is_displayed()
        unit.get(third)
        assert unit.find_element(By.ID, "closed").is_displayed() and not unit.find_elements(By.ID, "upload")
    finally:
        quit_browser(office)
        quit_browser(unit)
