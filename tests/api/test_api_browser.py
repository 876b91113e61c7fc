"""A real browser (headless Debian chromium through chromedriver and Selenium) uses the pages:
home → search a species → its page → review table → export CSV."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium chromium-driver)")
    if not Path(CHROMEDRIVER).exists():
        pytest.skip(f"{CHROMEDRIVER} is absent (apt-get install chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    driver.downloads = downloads  # type: ignore[attr-defined]
    yield driver
    driver.quit()


def _wait(fn: Any, timeout: float = 15.0) -> Any:
    deadline = time.time() + timeout
    while True:
        try:
            value = fn()
            if value:
                return value
        except Exception:  # noqa: BLE001 - element not there yet
            if time.time() > deadline:
                raise
        if time.time() > deadline:
            raise AssertionError("timed out waiting in the browser")
        time.sleep(0.2)


def test_search_species_review_table_export(browser: Any, live_server: Any,
                                            species_ids: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By

    b = browser
    name = _species_name(live_server.url, species_ids["threatened"])
    b.get(live_server.url + "/")
    assert "assess2plan" in b.title
    box = b.find_element(By.ID, "search-q")
    box.send_keys(name.split()[0])
    b.find_element(By.ID, "search-go").click()
    link = _wait(lambda: b.find_element(By.CSS_SELECTOR, "#hits a.species-link"))
    assert link.text
    # open the species we searched for
    links = b.find_elements(By.CSS_SELECTOR, "#hits a.species-link")
    target = next(a for a in links if a.text == name)
    target.click()
    _wait(lambda: name in b.find_element(By.ID, "species-name").text)
    # the suggestions panel is filled by JavaScript
    _wait(lambda: "Computing" not in b.find_element(By.ID, "suggestions").text)
    # the review table, filtered by category
    b.find_element(By.ID, "nav-review").click()
    table = _wait(lambda: b.find_element(By.ID, "review-table"))
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == int(b.find_element(By.ID, "row-count").text) > 0
    b.find_element(By.ID, "export-csv").click()
    csv_file = _wait(lambda: next((p for p in b.downloads.glob("*.csv")), None))
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Taxon id,Scientific name")
    assert len(text.strip().splitlines()) == len(rows) + 1


def test_sparql_editor_runs_a_library_query(browser: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    b = browser
    b.get(live_server.url + "/sparql")
    Select(b.find_element(By.ID, "sparql-examples")).select_by_visible_text(
        "Species by Red List category and taxon (species_by_category)")
    b.find_element(By.ID, "sparql-run").click()
    table = _wait(lambda: b.find_element(By.ID, "sparql-table"))
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) > 10


def _species_name(url: str, taxon_id: str) -> str:
    import httpx

    return str(httpx.get(f"{url}/species/{taxon_id}").json()["taxon"]["scientific_name"])
