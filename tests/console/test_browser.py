"""The console in a real headless browser: Debian's chromium driven by selenium through
/usr/bin/chromedriver (never Selenium Manager), against a real HTTP server on
127.0.0.1. One server and one browser for the module; screenshots of the main pages
are kept under test-artifacts/console/."""

from __future__ import annotations

import io
import shutil
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.support.ui import WebDriverWait

from lrs.app import create_app
from lrs.config import Settings
from lrs.domain.credentials import create_credential
from lrs.services import services
from tests.archive.conftest import FZ, HOME_A, UNIT_CZ, UNIT_FGW, build, key_of
from tests.archive.test_archive_http import WW, ZS, register
from tests.identity.conftest import SECRET, Client
from tests.stores import open_test_store

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
           "chromium-driver; .ci/run installs them)",
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A seeded LRS served over HTTP, and credentials (key, secret) per role."""
    from werkzeug.serving import make_server

    root = tmp_path_factory.mktemp("console-live")
    store = open_test_store(root)
    app = create_app(Settings(data_dir=root, identity_secret=SECRET, archive_projector="off"),
                     store=store)
    admin = Client(app, store)
    register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
    register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
    admin.send(build("course-completed", course="B1", duration=28, assessment=False),
               build("course-completed", course="B2", duration=45, assessment=False,
                     requirement="required"))
    services(app).archive.drain()
    roles = {
        "department": {"role": "department", "unit": FZ},
        "unit": {"role": "unit", "unit": UNIT_FGW},
        "trainee": {"role": "trainee", "trainee": key_of(ZS)},
    }
    creds = {}
    for name, settings in roles.items():
        credential, secret = create_credential(store, f"{name} 测试", "all/read",
                                               settings=settings)
        creds[name] = (credential.key, secret)
    credential, secret = create_credential(store, "管理员 测试", "all")
    creds["admin"] = (credential.key, secret)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", creds, admin
    server.shutdown()
    store.close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1000",
                 "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
    })
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.downloads = downloads
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield browser
    browser.quit()


def log_in(driver, base, key, secret):
    from selenium.webdriver.common.by import By

    driver.get(base + "/console/login")
    driver.delete_all_cookies()
    driver.get(base + "/console/login")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.ID, "secret").send_keys(secret)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, 10).until(lambda d: "/console/login" not in d.current_url)


def wait_url(driver, part):
    WebDriverWait(driver, 10).until(lambda d: part in d.current_url)


def choose_period(driver, year):
    """The page's 学年 form, as a liaison would use it."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, "period")
    field.clear()
    field.send_keys(year)
    driver.find_element(By.CSS_SELECTOR, "form.period button").click()
    wait_url(driver, f"period={year}")


def shot(driver, name):
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait_for_file(folder: Path, suffix: str) -> Path:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # Chrome reserves the final name with an empty file while it writes the bytes to
        # a .crdownload beside it, then renames that over it: done once that is gone.
        names = list(folder.iterdir())
        done = [p for p in names if p.suffix == suffix and p.stat().st_size > 0]
        if done and not any(p.suffix == ".crdownload" for p in names):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} download in {list(folder.iterdir())}")


def test_unit_liaison_sees_its_trainees_and_downloads_the_xlsx(live, driver):
    from selenium.webdriver.common.by import By

    base, creds, admin = live
    log_in(driver, base, *creds["unit"])
    assert driver.current_url.endswith(f"/console/units/{UNIT_FGW}")
    table = driver.find_element(By.ID, "trainees").text
    assert "张三" in table and "王五" not in table
    choose_period(driver, "2024")
    assert "period=2024" in driver.current_url
    shot(driver, "unit")
    for old in driver.downloads.iterdir():
        old.unlink()
    driver.find_element(By.ID, "export-xlsx").click()
    path = wait_for_file(driver.downloads, ".xlsx")
    rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True))
    api = admin.get(f"/xapi/archives/units/{UNIT_FGW}/report?period=2024").get_json()
    (item,) = api["trainees"]
    got = dict(zip(rows[0], rows[1], strict=True))
    assert got["姓名"] == item["name"] == "张三"
    assert Decimal(str(got["总学分"])) == Decimal(item["credits"]["total"])
    # Another unit's page by URL: refused, nothing of it shown.
    driver.get(base + f"/console/units/{UNIT_CZ}")
    assert "无法显示此页面（403）" in driver.page_source and "王五" not in driver.page_source
    shutil.copy(path, ARTIFACTS / "unit.xlsx")


def test_department_overview_charts_and_drill_down(live, driver):
    from selenium.webdriver.common.by import By

    base, creds, _admin = live
    log_in(driver, base, *creds["department"])
    assert driver.current_url.endswith("/console/overview")
    choose_period(driver, "2024")
    assert driver.find_element(By.ID, "overall-credits").text == "1.5"
    assert driver.find_element(By.ID, "overall-trainees").text == "2"
    assert len(driver.find_elements(By.CSS_SELECTOR, ".charts svg")) == 2
    shot(driver, "overview")
    driver.find_element(By.LINK_TEXT, "下钻").click()
    wait_url(driver, "org=")
    assert driver.find_element(By.ID, "overall-trainees").text == "1"
    driver.find_element(By.LINK_TEXT, "单位报表").click()
    wait_url(driver, "/console/units/")
    assert "张三" in driver.find_element(By.ID, "trainees").text


def test_trainee_sees_own_archive_and_ledger_then_logs_out(live, driver):
    from selenium.webdriver.common.by import By

    base, creds, _admin = live
    log_in(driver, base, *creds["trainee"])
    assert driver.current_url.endswith(f"/console/trainees/{key_of(ZS)}")
    choose_period(driver, "2024")
    assert driver.find_element(By.ID, "trainee-credits").text == "1.5"
    assert "账本校验通过" in driver.find_element(By.ID, "ledger-status").text
    shot(driver, "trainee")
    driver.get(base + f"/console/trainees/{key_of(WW)}")  # outside scope: as if unknown
    assert "无法显示此页面（404）" in driver.page_source and "王五" not in driver.page_source
    driver.find_element(By.CSS_SELECTOR, "header button").click()
    wait_url(driver, "/console/login")
    driver.get(base + f"/console/trainees/{key_of(ZS)}")
    assert "/console/login" in driver.current_url
    shot(driver, "login")


def test_swagger_ui_renders_the_openapi_document_offline(live, driver):
    from selenium.webdriver.common.by import By

    base, _creds, _admin = live
    driver.get(base + "/console/api-docs")
    WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title"))
    assert driver.find_elements(By.CSS_SELECTOR, ".opblock")  # the operations are listed
    shot(driver, "api-docs")


def test_admin_browses_statements_and_creates_a_credential(live, driver):
    from selenium.webdriver.common.by import By

    base, creds, _admin = live
    log_in(driver, base, *creds["admin"])
    driver.find_element(By.LINK_TEXT, "语句浏览").click()
    wait_url(driver, "/console/statements")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#statements tbody tr")) >= 2
    shot(driver, "statements")
    driver.find_element(By.LINK_TEXT, "系统管理").click()
    wait_url(driver, "/console/admin")
    form = driver.find_element(By.ID, "create-form")
    form.find_element(By.NAME, "name").send_keys("福州财政局联络员")
    form.find_element(By.CSS_SELECTOR, "select[name=role] option[value=unit]").click()
    form.find_element(By.NAME, "unit").send_keys(UNIT_CZ)
    form.find_element(By.CSS_SELECTOR, "input[value='trainees/read']").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "new-secret"))
    key = driver.find_element(By.CSS_SELECTOR, "#created code").text
    secret = driver.find_element(By.ID, "new-secret").text
    shot(driver, "admin")
    log_in(driver, base, key, secret)
    assert driver.current_url.endswith(f"/console/units/{UNIT_CZ}")
    assert "王五" in driver.find_element(By.ID, "trainees").text


def test_admin_opens_the_institution_page_and_switches_to_english(live, driver):
    from selenium.webdriver.common.by import By

    base, creds, _admin = live
    log_in(driver, base, *creds["admin"])
    driver.find_element(By.LINK_TEXT, "培训机构").click()
    wait_url(driver, "/console/institution")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("培训机构")
    choose_period(driver, "2024")
    assert "学员 1 人" in driver.find_element(By.ID, "institution-totals").text
    shot(driver, "institution")
    driver.find_element(By.ID, "lang-switch").click()
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Training institution"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    table = driver.find_element(By.ID, "institution-trainees").text
    assert "Total credit-hours" in table and "张*" in table and "张三" not in table
    shot(driver, "institution-en")
    driver.find_element(By.LINK_TEXT, "Administration").click()  # the cookie keeps English
    wait_url(driver, "/console/admin")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Administration"
    driver.find_element(By.ID, "lang-switch").click()  # back to Chinese for later tests
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text == "系统管理")
