"""kipp ui in a real browser (issue 12): headless Chromium, driven by selenium through Debian's
chromium-driver, clicks through the app served by uvicorn over a screened edition, then the next
run is checked for the decisions it made. Skipped where Chromium or its driver is missing, except in
CI (.ci/run installs both and sets KIPP_REQUIRE_BROWSER)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.steps import run_once
from flows.steps.context import OutputPaths, PanelFiles
from flows.ui.app import create_app
from flows.ui.handoff import HandoffInputs
from models.ledger import Ledger
from models.themes import load_taxonomy
from tests.flows.test_ui import (
    FILE_SCRIPT,
    JUDGE_SCRIPT,
    TITLE_SCRIPT,
    Edition,
    build_edition,
    build_judged,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
REQUIRED = bool(os.environ.get("KIPP_REQUIRE_BROWSER"))
GLOBALS = ("kippTitle", "kippRoster", "kippFile", "kippEvidence", "kippAdmin", "kippJudge")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif((CHROMIUM is None or DRIVER is None) and not REQUIRED,
                       reason="Chromium or chromium-driver is not installed (apt-get install chromium chromium-driver; "
                              "CI installs them)"),
]


@contextmanager
def serving(edition: Edition, handoff: HandoffInputs | None = None) -> Iterator[str]:
    """The app under uvicorn in a thread, on a free loopback port; stopped on the way out."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(edition.out, edition.inbox, None, handoff=handoff)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@contextmanager
def chromium() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "/usr/bin/chromium"
    # --no-sandbox: Chromium's sandbox refuses to start as root, which CI is.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER or "/usr/bin/chromedriver"))
    try:
        yield driver
    finally:
        driver.quit()


def follow(driver, element) -> None:
    """Click a link or a form's button and wait for the page it leads to: selenium's click returns
    before a form's redirect has loaded, and the old page's elements would still be found."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(staleness_of(page))


def nothing_ran(driver) -> None:
    """No hostile text became script: no global it would set, no alert open."""
    from selenium.common.exceptions import NoAlertPresentException

    assert driver.execute_script(f"return [{', '.join(f'window.{g}' for g in GLOBALS)}]") == [None] * len(GLOBALS)
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text


def number(driver, ident: str) -> int:
    from selenium.webdriver.common.by import By

    return int(driver.find_element(By.ID, ident).text)


def rows(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [tr.get_attribute("data-id") for tr in driver.find_elements(By.CSS_SELECTOR, "#peserta tbody tr[data-id]")]


def test_an_admin_decides_in_chromium_and_the_next_run_carries_it(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    started = time.perf_counter()
    edition = build_edition(tmp_path / "edisi")
    doc = edition.screening()
    near = next(f for f in doc["duplicates"] if f["kind"] == "near")
    shots = tmp_path / "layar"
    shots.mkdir()
    with serving(edition) as base, chromium() as driver:
        # the overview, checked against screening.json
        driver.get(base + "/")
        assert driver.title.startswith("Ringkasan KIPP 2021")
        assert number(driver, "n-peserta") == len(doc["participants"])
        for status, n in doc["summary"]["participants"].items():
            assert number(driver, f"n-status-{status}") == n
        for kind, n in doc["summary"]["duplicates"].items():
            assert number(driver, f"n-jenis-{kind}") == n
        nothing_ran(driver)
        driver.save_screenshot(str(shots / "1-ringkasan.png"))

        # the name, once per browser session
        driver.find_element(By.CSS_SELECTOR, "#form-nama input[name=nama]").send_keys("Rina Admin")
        follow(driver, driver.find_element(By.CSS_SELECTOR, "#form-nama button"))
        assert driver.find_element(By.ID, "admin").text == "Rina Admin"

        # the participants table: filter with the form, sort with a header
        driver.get(base + "/peserta")
        Select(driver.find_element(By.NAME, "kategori")).select_by_value("smp")
        follow(driver, driver.find_element(By.CSS_SELECTOR, "#saring button"))
        assert rows(driver) == ["smp-01", "smp-03", "smp-05", "smp-11", "smp-15", "smp-21"]
        follow(driver, driver.find_element(By.LINK_TEXT, "Nama"))  # sorted by name already: the other way now
        assert rows(driver) == ["smp-21", "smp-15", "smp-11", "smp-05", "smp-03", "smp-01"]
        driver.find_element(By.NAME, "q").send_keys("negeri 1")
        follow(driver, driver.find_element(By.CSS_SELECTOR, "#saring button"))
        assert rows(driver) == ["smp-15", "smp-11", "smp-01"]
        nothing_ran(driver)
        driver.save_screenshot(str(shots / "2-peserta.png"))

        # a hostile title and file name are shown as text
        driver.get(base + "/peserta/smp-05")
        assert TITLE_SCRIPT in driver.find_element(By.CSS_SELECTOR, "pre.cover").text
        nothing_ran(driver)
        driver.get(base + "/peserta/smp-11")
        assert FILE_SCRIPT in driver.find_element(By.TAG_NAME, "main").text
        nothing_ran(driver)

        # confirm the duplicate with its button
        driver.get(base + "/duplikat")
        card_of_near = f"//div[@class='flag'][.//input[@name='kunci' and @value='{near['key']}']]"
        card = driver.find_element(By.XPATH, card_of_near)
        card.find_element(By.NAME, "catatan").send_keys("disalin dari SMPN 5")
        follow(driver, card.find_element(By.CSS_SELECTOR, "button[value=confirmed]"))
        card = driver.find_element(By.XPATH, card_of_near)  # the page again, after the redirect
        assert "dikonfirmasi" in card.text and "Rina Admin" in card.text
        nothing_ran(driver)
        driver.save_screenshot(str(shots / "3-duplikat.png"))

        # correct a theme with its form
        taxonomy = load_taxonomy()
        current = next(p["theme"] for p in doc["participants"] if p["id"] == "smp-11")
        chosen = next(t for t in taxonomy.ids if t != current)
        driver.get(base + "/peserta/smp-11")
        Select(driver.find_element(By.NAME, "tema")).select_by_value(chosen)
        follow(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Koreksi tema']"))
        assert driver.find_element(By.ID, "tema-label").text == taxonomy.label(chosen)
        assert "Rina Admin" in driver.find_element(By.ID, "tema").text
        driver.save_screenshot(str(shots / "4-peserta-smp-11.png"))

        # the ledger has both, with who
        with Ledger(OutputPaths(edition.out).ledger) as ledger:
            duplicate = ledger.duplicate_decision_records()[near["key"]]
            theme = ledger.theme_correction_records()["smp-11"]
        assert (duplicate.value, duplicate.decided_by) == ("confirmed", "Rina Admin")
        assert duplicate.note == "disalin dari SMPN 5"
        assert (theme.value, theme.decided_by) == (chosen, "Rina Admin")

        # the next run's reports carry them, and the overview shows the new run
        run_once(edition.config())
        again = edition.screening()
        assert next(f for f in again["duplicates"] if f["key"] == near["key"])["decision"] == "confirmed"
        smp11 = next(p for p in again["participants"] if p["id"] == "smp-11")
        assert (smp11["theme"], smp11["theme_source"]) == (chosen, "correction")
        assert "dikonfirmasi" in (edition.out / "duplicates.html").read_text(encoding="utf-8")
        driver.get(base + "/")
        assert number(driver, "n-jenis-near-confirmed") == 1
        nothing_ran(driver)
    assert sorted(p.name for p in shots.iterdir()) == ["1-ringkasan.png", "2-peserta.png", "3-duplikat.png",
                                                       "4-peserta-smp-11.png"]
    assert time.perf_counter() - started < 60  # about 20 s here; a hang would show long before


def test_an_admin_hands_off_to_the_judges_in_chromium(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    edition, judges = build_judged(tmp_path / "juri")
    shots = tmp_path / "layar"
    shots.mkdir()
    inputs = HandoffInputs(edition.roster, PanelFiles(judges), settings=edition.config().settings)
    with serving(edition, inputs) as base, chromium() as driver:
        driver.get(base + "/juri")
        assert driver.title.startswith("Penugasan Juri KIPP 2021")
        assert "Pratinjau" in driver.find_element(By.ID, "penyerahan").text
        assert JUDGE_SCRIPT in driver.find_element(By.ID, "per-juri").text  # the hostile name, as text
        nothing_ran(driver)
        driver.find_element(By.CSS_SELECTOR, "#form-nama input[name=nama]").send_keys("Rina Admin")
        follow(driver, driver.find_element(By.CSS_SELECTOR, "#form-nama button"))
        follow(driver, driver.find_element(By.ID, "serahkan"))
        assert driver.find_element(By.ID, "diserahkan-oleh").text == "Rina Admin"
        links = driver.find_elements(By.CSS_SELECTOR, "#per-juri a[href^='/paket/']")
        assert len(links) == len(edition.screening()["judges"])
        nothing_ran(driver)
        driver.save_screenshot(str(shots / "5-juri.png"))
    doc = edition.screening()
    assert doc["handoff"]["handed_at"] and all(a["frozen"] for a in doc["assignments"])
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        assert len(ledger.frozen_assignments()) == len(doc["assignments"])
