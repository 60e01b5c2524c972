"""The app in a real browser: a finished run of ``scenarios/tiny.yaml`` (the real pipeline),
``streamlit run ui/app.py`` on a free localhost port, and headless Chromium (Debian's
``chromium`` and ``chromium-driver``, driven by Selenium) opening the Compare page, then
every other page.

The test waits until every chart of the page has been drawn, checks what a person would read
(the run's name, its discounted cost as the engine computes it, chart titles and an axis
title with units) and saves the page as ``compare.png``; then it opens Scenario, Run, Map,
Explain, Physics, Uncertainty, Decide now (a hedged plan of a three-site line, made by
``qroad hedge``) and Download in turn, waits for each to finish drawing without
an error, and saves ``<page>.png``. Screenshots go to the test's temporary folder, or to
``$QROAD_SCREENSHOT_DIR`` when set: ``make screenshots`` sets it to ``docs/screenshots``
(the images shown in the README), so a test run never writes a tracked file. Last, it takes
a strategist's journey through the widgets (tests/ui/browser_steps.py): move a milestone,
run the edited scenario, compare it, move the map's period slider, open Physics, download
the CSV tables, the Excel workbook and the HTML report, and check the files. Without
Chromium, its driver or Selenium the test is skipped, except under ``CI=true``, where that
is a failure: ``make test`` installs them (``scripts/ensure-browser.sh``).
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.charts import compare_figures
from engine.compare import summary_table
from engine.pipeline import run_scenario
from engine.report import milestones_frame, read_runs, run_timelines
from engine.scenario import load_scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_NAME = "compare.png"
SCREENSHOT_DIR_ENV = "QROAD_SCREENSHOT_DIR"  # relative paths are taken from the repository root
VIEWPORT = (1280, 900)  # width, height in CSS pixels (device scale 1): a small PNG
SCENARIO = REPO_ROOT / "scenarios" / "tiny.yaml"
TIMELINE = "mid"
RUN_NAME = f"tiny-{TIMELINE}"
STARTUP_TIMEOUT_S = 40.0  # streamlit answering its health check
RENDER_TIMEOUT_S = 45.0  # page loaded and every chart drawn
LOCAL_HOSTS = "localhost,127.0.0.1"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no *_proxy for 127.0.0.1

# No GPU, no network: without these flags Chromium waits on connections it cannot make.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-proxy-server",  # the app is on 127.0.0.1, whatever *_proxy says
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
)


def _executable(name: str, default: str) -> str | None:
    """``default`` when it is an executable file, else ``name`` on PATH, else None."""
    if os.access(default, os.X_OK):
        return default
    return shutil.which(name)


def _missing(reason: str) -> None:
    """Skip for ``reason`` on a developer's machine; under ``CI=true`` fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run; see scripts/ensure-browser.sh)")
    pytest.skip(f"{reason}; `make test` installs it as root with apt (scripts/ensure-browser.sh)")


def screenshot_path(tmp_path: Path, name: str = SCREENSHOT_NAME) -> Path:
    """Where a page's screenshot goes: ``$QROAD_SCREENSHOT_DIR`` or ``tmp_path``."""
    folder = os.environ.get(SCREENSHOT_DIR_ENV)
    return (REPO_ROOT / folder if folder else tmp_path) / name


# url path, page title, charts the page draws for the finished run (at least)
TOUR = (
    ("scenario", "Scenario", 0),
    ("run", "Run scenarios", 0),
    ("map", "Network map", 1),
    ("explain", "Explain the plan", 1),
    ("physics", "Key rate vs distance", 1),
    ("uncertainty", "Uncertainty", 0),
    ("decide", "Decide now", 1),  # the hedged plan of HEDGE_SCENARIO (regret chart)
    ("download", "Download a run", 0),
)
# A three-site line whose hedged plan (early and mid, 2025 shared) the Decide now page shows
HEDGE_SCENARIO = REPO_ROOT / "tests" / "data" / "trio.yaml"


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class App:
    """A running ``streamlit run ui/app.py``: its URL, process and output."""

    url: str
    proc: subprocess.Popen
    log: Path

    def output(self) -> str:
        """What streamlit printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self) -> None:
        """Poll the health endpoint until it answers ``ok``; fail with the output if not."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"streamlit exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with DIRECT.open(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"streamlit not up after {STARTUP_TIMEOUT_S:.0f} s:\n{self.output()}")


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """Paths of Chromium and chromedriver (skip, or fail under CI, when one is missing)."""
    chromium = _executable("chromium", "/usr/bin/chromium")
    driver = _executable("chromedriver", "/usr/bin/chromedriver")
    if chromium is None:
        _missing("no Chromium (Debian package `chromium`)")
    if driver is None:
        _missing("no chromedriver (Debian package `chromium-driver`)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing("selenium is not installed (the `dev` extra: pip install -e '.[dev]')")
    assert chromium is not None and driver is not None
    return chromium, driver


@pytest.fixture
def results_folder(tmp_path: Path) -> Path:
    """An empty results folder of this test's own."""
    folder = tmp_path / "results"
    folder.mkdir()
    return folder


@pytest.fixture
def app(results_folder: Path, tmp_path: Path) -> Iterator[App]:
    """``streamlit run ui/app.py`` on a free port, reading ``results_folder``.

    Started before the run is solved (the app lists runs when a page loads), so the two
    overlap; stopped, with its process group, whatever the test does.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "QROAD_RESULTS_DIR": str(results_folder),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "ui/app.py",
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--theme.base=light",
    ]
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield App(url, proc, log)
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` (SIGTERM, then SIGKILL after 10 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def finished_run(results_folder: Path) -> Path:
    """``scenarios/tiny.yaml`` under the mid timeline, solved by the real pipeline."""
    scenario = load_scenario(SCENARIO, timeline=TIMELINE)
    outcome = run_scenario(scenario, out_dir=results_folder)
    assert outcome.run_dir is not None, f"{outcome.status}: {outcome.message}"
    return outcome.run_dir


@pytest.fixture
def hedged_run(results_folder: Path) -> Path:
    """``qroad hedge`` of HEDGE_SCENARIO (early and mid, half each, 2025 shared) into the
    app's results folder."""
    from typer.testing import CliRunner

    from engine.cli import app as cli

    args = ["hedge", str(HEDGE_SCENARIO), "--out", str(results_folder),
            "--futures", "early:0.5,mid:0.5", "--commit-until", "2030", "--quiet"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return results_folder / "trio-hedged"


@pytest.fixture
def browser(
    browser_paths: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Headless Chromium under Selenium with a fresh empty profile; quit whatever happens."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = browser_paths
    # Selenium talks to chromedriver on localhost: never through a proxy from *_proxy.
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, ",".join(filter(None, [os.environ.get(var), LOCAL_HOSTS])))
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager (which downloads drivers) never runs.
    service = Service(executable_path=driver_path, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(RENDER_TIMEOUT_S)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()


@functools.cache
def _steps() -> Any:
    """tests/ui/browser_steps.py (the strategist's journey, ``wait`` and ``page_text``),
    loaded by path once."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "qroad_browser_steps", Path(__file__).with_name("browser_steps.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_page_shows_a_finished_run_in_chromium(
    browser: Any, app: App, finished_run: Path, hedged_run: Path, tmp_path: Path
) -> None:
    """The Compare page names the run, shows its cost and draws every chart; screenshot."""
    from selenium.webdriver.common.by import By

    run_dirs = [finished_run]
    titles = [
        t
        for t, _ in compare_figures(read_runs(run_dirs), milestones_frame(run_timelines(run_dirs)))
    ]
    cost_meur = summary_table(run_dirs)["cost_eur"].iloc[0] / 1e6
    metric_label = "Cost (M€, discounted)"

    app.wait_healthy()
    browser.get(f"{app.url}/")  # Compare is the app's default page

    def rendered(driver: Any) -> bool:
        """Every chart drawn (axis titles in the SVG), the metric shown, the script done.
        Cheap look-ups first: the page's text is read only once the charts are there."""
        if driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'):
            return True  # fail below with the page's own words
        charts = driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
        if len(charts) != len(titles):
            return False
        if len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .ytitle")) < len(titles):
            return False
        running = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        if any("Running" in w.text for w in running):
            return False
        return metric_label in _steps().page_text(driver)

    what = f"Compare page not rendered in {RENDER_TIMEOUT_S:.0f} s"
    _steps().wait(browser, app, what, rendered, tmp_path, RENDER_TIMEOUT_S, "timeout.png")
    errors = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert not errors, errors[0].text

    text = _steps().page_text(browser)
    assert "Compare runs" in text and "Unserved-key penalty (M€)" in text
    picker = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"]')
    assert "Runs to compare" in picker.text and RUN_NAME in picker.text  # chosen by default
    metric = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMetric"]')
    assert metric_label in metric.text
    assert f"{cost_meur:,.2f}" in metric.text  # the engine's discounted cost, in M€
    assert RUN_NAME in text
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h3")]
    for title in titles:
        assert any(title in h for h in headings), (title, headings)
    axis_titles = {
        e.get_attribute("textContent")
        for e in browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .ytitle")
    }
    assert "Served key (bit/s)" in axis_titles
    assert "Cost (M€, discounted, cumulative)" in axis_titles

    browser.execute_script("window.scrollTo(0, 0)")
    shot = screenshot_path(tmp_path)
    shot.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one

    for url_path, title, charts in TOUR:
        _visit(browser, app, f"{app.url}/{url_path}", title, charts, tmp_path)
        if url_path == "decide":  # the hedged plan's value of information, in words
            assert "Knowing the timeline would save" in _steps().page_text(browser)
        shot = screenshot_path(tmp_path, f"{url_path}.png")
        assert browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 5_000, url_path
    _steps().journey(browser, app, tmp_path)


def _visit(browser: Any, app: App, url: str, title: str, charts: int, tmp_path: Path) -> None:
    """Open ``url`` and wait until its title is shown, ``charts`` charts are drawn and the
    script is done; fail with the page's text and streamlit's log on an error or timeout."""
    from selenium.webdriver.common.by import By

    browser.get(url)

    def done(driver: Any) -> bool:
        if driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'):
            return True
        if len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .xtitle")) < charts:
            return False
        running = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        if any("Running" in w.text or "Stop" in w.text for w in running):
            return False
        titles = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "h1")]
        return any(title in t for t in titles)

    _steps().wait(
        browser, app, f"{url} not rendered", done, tmp_path, RENDER_TIMEOUT_S, "timeout.png"
    )
    errors = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert not errors, (url, errors[0].text)
    browser.execute_script("window.scrollTo(0, 0)")
