"""The gateway's dashboard in a real browser (Debian's chromium, headless, driven by
selenium) against a running engine: the page loads with no request leaving the gateway, asks
for the token and refuses a wrong one, authenticates, shows live candles, orders, positions,
P&L, latency and the scanner as they update, and the kill switch works from it. A screenshot
is saved under build/test-artifacts/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine_helpers import wait_until
from gateway_session import OPERATOR, TOKEN, start

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
    reason="chromium and chromium-driver are installed by scripts/install-deps.sh")

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1100", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def body_data(driver, key: str) -> str:
    return driver.find_element(By.TAG_NAME, "body").get_attribute(f"data-{key}") or ""


def text(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def test_the_dashboard_shows_the_live_engine(tmp_path, monkeypatch, browser):
    gw = start(tmp_path, monkeypatch)
    try:
        # No token yet: the login form; a wrong token is refused with the gateway's message.
        browser.get(gw.base + "/")
        wait_until(lambda: browser.find_element(By.ID, "login").is_displayed(), 10, "login form")
        browser.find_element(By.ID, "token").send_keys("not-the-token")
        browser.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait_until(lambda: "token" in text(browser, "login-error"), 10, "the refusal shown")
        assert not browser.find_element(By.ID, "app").is_displayed()
        # The right token: the dashboard.
        token_input = browser.find_element(By.ID, "token")
        token_input.clear()
        token_input.send_keys(TOKEN)
        browser.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait_until(lambda: body_data(browser, "ready") == "true", 20, "the dashboard ready")
        browser.get_log("browser")  # drained: the wrong token's 401 above was the point
        wait_until(lambda: browser.find_element(By.ID, "conn").get_attribute("data-state") == "live",
                   20, "the stream connected")
        # Live: updates arrive, candles grow, the scanner and the order tables fill.
        first = int(body_data(browser, "updates") or 0)
        wait_until(lambda: int(body_data(browser, "updates") or 0) > first + 20, 30, "live updates")
        bars = int(body_data(browser, "bars") or 0)
        wait_until(lambda: int(body_data(browser, "bars") or 0) > bars, 30, "new candles")
        assert browser.find_elements(By.CSS_SELECTOR, "#chart canvas"), "the chart is drawn"
        wait_until(lambda: int(body_data(browser, "scanner-rows") or 0) > 0, 30, "scanner rows")
        wait_until(lambda: int(body_data(browser, "fills") or 0) > 0, 60, "fills shown")
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "#positions tbody tr"), 30,
                   "positions shown")
        wait_until(lambda: text(browser, "lat-count") not in ("", "0"), 30, "latency samples")
        assert text(browser, "lat-p50").endswith("µs")
        wait_until(lambda: text(browser, "risk-state") == "ACTIVE", 10, "the risk state")
        # The kill switch, with the operator token, as an operator would use it.
        browser.find_element(By.ID, "operator-token").send_keys(OPERATOR)
        browser.find_element(By.CSS_SELECTOR, 'button[data-command="HALT"]').click()
        wait_until(lambda: text(browser, "risk-state") == "HALTED", 15, "HALTED on the page")
        assert gw.get("/v1/summary")[1]["risk_state"] == "HALTED"
        browser.find_element(By.CSS_SELECTOR, 'button[data-command="RESUME"]').click()
        wait_until(lambda: text(browser, "risk-state") == "ACTIVE", 15, "ACTIVE again")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "dashboard.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        # Nothing failed in the page, and nothing was fetched from anywhere but the gateway.
        logs = browser.get_log("browser")
        assert not [entry for entry in logs if entry["level"] == "SEVERE"], logs
        sources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert sources and all(s.startswith(gw.base) or s.startswith(f"ws://127.0.0.1:{gw.port}")
                               for s in sources), sources
    finally:
        gw.finish()
