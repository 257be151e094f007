"""`govxl desk` in a real browser: Debian's Chromium driven by Selenium against the desk running
as its own server process (`govxl desk FOLDER`), on SQLite and on PostgreSQL.

The office opens a season, adds three units and downloads a workbook; a unit fills it
(openpyxl), uploads it, sees T3-BAL on the right cells, fixes it, uploads again and passes;
another unit sends a failing report; the dashboard shows 1 passed, 1 failed, 1 missing; the
roll-up downloads and passes `govxl check`. With `--lang en` (SQLite): the office logs in and adds
two units; one uploads a Word report with cells that cannot be read, the other a good workbook; the
pages and the dashboard say "not verified" (naming the rules) and "passed", in English throughout.

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


@pytest.mark.chromium
def test_a_season_in_english_in_the_browser(tmp_path):
    """`govxl desk --lang en`: the office logs in, opens a season, adds two units; one unit uploads a
    Word report with cells that cannot be read, the other a good workbook; both pages and the
    dashboard say so in English (not verified, naming the rules; passed), nothing else in Chinese."""
    from selenium.webdriver.common.by import By
    from test_desk_english import foreign, official_labels
    from test_desk_trust import not_verified_docx

    require_chromedriver()
    names = UNITS[:2]
    server = DeskServer(tmp_path / "desk", jobs=1, extra=("--lang", "en"))
    driver = browser(tmp_path)
    data = set(names) | official_labels() | {"北城市人民政府办公室", "东城区年报.docx", "西城区年报.xlsx"}
    try:
        css = driver.find_element
        driver.get(server.url + "login")
        assert css(By.TAG_NAME, "h1").text == "Office login"
        css(By.ID, "password").send_keys(PASSWORD)
        css(By.ID, "login").click()
        css(By.ID, "year").clear()
        css(By.ID, "year").send_keys("2025")
        css(By.ID, "agency").send_keys("北城市人民政府办公室")
        css(By.ID, "open-season").click()
        css(By.ID, "names").send_keys("\n".join(names))
        css(By.ID, "add-units").click()
        assert css(By.CSS_SELECTOR, "p.flash").text == "2 units added."
        dashboard = driver.current_url
        links = []
        for i in range(2):
            driver.get(dashboard)
            driver.find_elements(By.CSS_SELECTOR, "#units tbody tr td:nth-child(2) a")[i].click()
            links.append(css(By.ID, "unit-link").text.strip())
        doc = not_verified_docx(tmp_path / "东城区年报.docx", names[0])
        good = fill(govxl.new(tmp_path / "b.xlsx", agency=names[1], year=2025), tmp_path / "西城区年报.xlsx", ED,
                    good_values(ED))
        for link, path, said in ((links[0], doc, "not verified"), (links[1], good, "passed")):
            driver.get(link)
            assert css(By.ID, "upload").text == "Upload and check"
            css(By.ID, "file").send_keys(str(path))
            css(By.ID, "upload").click()
            assert css(By.ID, "verdict").text == said
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
            assert foreign(driver.page_source, data) == []
            driver.get(link)
            assert css(By.ID, "status").text.startswith(f"Status now: {said} (")
        driver.get(links[0])
        assert "3 rules were not verified (T3-COL" in css(By.ID, "status-reason").text
        driver.get(dashboard)
        shown = {r.get_attribute("data-unit"): r.find_elements(By.TAG_NAME, "td")[2].text
                 for r in driver.find_elements(By.CSS_SELECTOR, "#units tbody tr")}
        assert shown == {names[0]: "not verified", names[1]: "passed"}
        assert css(By.ID, "tally").text.startswith("The roll-up counts 1 units")
        left = css(By.CSS_SELECTOR, "#left-out tbody tr td:nth-child(3)").text
        assert left.startswith("the latest upload is not verified: no rule is broken, but 3 rules were not verified")
        assert foreign(driver.page_source, data) == []
    finally:
        quit_browser(driver)
        server.stop()
