"""The strategist's journey through the app in Chromium, run by tests/ui/test_browser.py
after its tour of the pages: pick tiny.yaml, move a milestone, run it with the edit kept,
compare it, move the map's period slider, open Physics, and download every table as CSV,
the Excel workbook and the HTML report (the files are checked). Navigation follows the
sidebar's links, so the browser session (and the edits) are kept."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

JOURNEY_TIMEOUT_S = 120.0  # a real solve of the edited tiny scenario included
MILESTONE = "telecom networks support MDI protocols"  # mid: 2029, moved to 2027


def wait(
    browser: Any,
    app: Any,
    what: str,
    check: Any,
    tmp_path: Path,
    timeout_s: float = JOURNEY_TIMEOUT_S,
    shot_name: str = "journey-timeout.png",
) -> Any:
    """Wait for ``check(browser)`` to be truthy (elements redrawn meanwhile are looked up
    again); on a timeout, fail with the page's text, streamlit's log and a screenshot."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(
            browser,
            timeout_s,
            poll_frequency=0.5,
            ignored_exceptions=(StaleElementReferenceException,),
        ).until(check)
    except TimeoutException:
        shot = tmp_path / shot_name
        browser.save_screenshot(str(shot))
        pytest.fail(f"{what} (screenshot {shot}):\n{page_text(browser)}\n{app.output()}")


def _nav(browser: Any, app: Any, page: str, title: str, tmp_path: Path) -> None:
    """Follow the sidebar's link to ``page`` (keeps the session, so the edits) and wait for
    its title."""
    from selenium.webdriver.common.by import By

    def link(d: Any) -> list:
        found = d.find_elements(By.CSS_SELECTOR, f'a[href$="/{page}"]')
        return [a for a in found if a.is_displayed()]

    wait(browser, app, f"link to {page}", link, tmp_path)[0].click()
    wait(browser, app, f"{page} page", lambda d: title in page_text(d), tmp_path)


def _button(browser: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By

    found = browser.find_elements(By.XPATH, f"//button[normalize-space(.)='{label}']")
    return found[0] if found else None


def journey(browser: Any, app: Any, tmp_path: Path) -> None:
    """Pick tiny.yaml, move a milestone, run it with the edit kept, compare it, move the
    map's period slider, open Physics, and download every table as CSV, the Excel workbook
    and the HTML report (files checked)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.get(f"{app.url}/scenario")
    wait(
        browser,
        app,
        "Scenario page",
        lambda d: "Scenario tiny is valid." in page_text(d),
        tmp_path,
    )
    milestone = f"//input[contains(@aria-label, '{MILESTONE}')]"
    field = wait(browser, app, "milestone input", lambda d: d.find_elements(By.XPATH, milestone),
                  tmp_path)[0]  # fmt: skip
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("2027", Keys.ENTER)
    wait(browser, app, "edited scenario valid",
          lambda d: "Scenario tiny-edited is valid." in page_text(d), tmp_path)  # fmt: skip
    assert "Your changes" in page_text(browser)  # the table itself is drawn on a canvas

    _nav(browser, app, "run", "Run scenarios", tmp_path)
    # offered only for a scenario edited in this session, and chosen by default
    wait(browser, app, "the edited scenario offered to run",
          lambda d: "as edited on the Scenario page" in page_text(d), tmp_path)  # fmt: skip
    _button(browser, "Run").click()
    wait(browser, app, "run finished",
          lambda d: "1 of 1 variants finished" in page_text(d), tmp_path)  # fmt: skip
    compare = "//a[contains(., 'Compare tiny-edited')]"
    link = wait(browser, app, "link to the results", lambda d: d.find_elements(By.XPATH, compare),
                 tmp_path)  # fmt: skip
    link[0].click()
    wait(browser, app, "Compare of the edited run",
          lambda d: "Compare runs" in page_text(d) and "Cost (M€, discounted)" in page_text(d),
          tmp_path)  # fmt: skip
    picker = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"]')
    assert "tiny-edited" in picker.text

    _nav(browser, app, "map", "Network map", tmp_path)

    def map_title(d: Any) -> str:
        titles = d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .gtitle")
        return titles[0].get_attribute("textContent") if titles else ""

    first = wait(
        browser, app, "map drawn", lambda d: "in period" in map_title(d) and map_title(d), tmp_path
    )
    # the period slider's (visually hidden) range input: focus it, press the left arrow
    slider = browser.find_element(By.CSS_SELECTOR, 'input[type="range"][aria-label^="Period"]')
    browser.execute_script("arguments[0].focus()", slider)
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    wait(browser, app, "map moved to an earlier period",
          lambda d: "in period" in map_title(d) and map_title(d) != first, tmp_path)  # fmt: skip

    _nav(browser, app, "physics", "Key rate vs distance", tmp_path)
    charts = ".js-plotly-plot .xtitle"
    wait(
        browser, app, "physics chart", lambda d: d.find_elements(By.CSS_SELECTOR, charts), tmp_path
    )

    _nav(browser, app, "download", "Download a run", tmp_path)
    wait(browser, app, "export buttons", lambda d: _button(d, "Excel workbook (.xlsx)"), tmp_path)
    _button(browser, "Every table as CSV (zip)").click()
    _button(browser, "Excel workbook (.xlsx)").click()
    _button(browser, "Prepare the HTML report").click()
    wait(browser, app, "report prepared",
          lambda d: _button(d, "Download the HTML report"), tmp_path)  # fmt: skip
    _button(browser, "Download the HTML report").click()

    def saved(d: Any) -> bool:
        names = {p.name for p in downloads.iterdir()}
        wanted = {"tiny-edited-csv.zip", "tiny-edited.xlsx", "tiny-edited-report.html"}
        return wanted <= names and not any(n.endswith(".crdownload") for n in names)

    wait(browser, app, f"downloads in {downloads}", saved, tmp_path)
    with zipfile.ZipFile(downloads / "tiny-edited-csv.zip") as zf:
        assert {"costs.csv", "builds.csv", "cost_by_item.csv"} <= set(zf.namelist())
    with zipfile.ZipFile(downloads / "tiny-edited.xlsx") as zf:  # an .xlsx is a zip
        assert "xl/workbook.xml" in zf.namelist()
    report = (downloads / "tiny-edited-report.html").read_text(encoding="utf-8")
    assert "<h2>Headline</h2>" in report and "tiny-edited" in report


def page_text(driver: Any) -> str:
    """The visible text of the page body ('' while the page is being replaced)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:
        return ""
