"""Helpers to run the web app in a background thread and drive it with headless Chromium.

Used by the browser tests, the screenshot script and the load benchmark; Selenium (a test
dependency) is imported only when a browser is asked for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMEDRIVER = ("/usr/bin/chromedriver", "chromedriver")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving ``create_app()`` in a daemon thread (``with ServerThread() as url``),
    configured as ``allyscope serve`` configures it; ``cold_wait=None`` (the default here)
    makes requests wait for cold pages instead of answering 202."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        warm: bool = True,
        cold_wait: float | None = None,
    ):
        import uvicorn

        from allyscope.web.app import create_app, uvicorn_options

        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            create_app(warm=warm, cold_wait=cold_wait),
            host=host,
            port=self.port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 120.0) -> str:
        self.thread.start()
        t0 = time.monotonic()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the web app did not start")
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"the web app did not start within {timeout:.0f} s")
            time.sleep(0.05)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _which(candidates: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for c in candidates:
        if Path(c).is_file():
            return c
        found = shutil.which(c)
        if found:
            return found
    return None


def find_browser() -> tuple[str | None, str | None]:
    """Paths of Chromium and chromedriver (``ALLYSCOPE_CHROMIUM`` / ``ALLYSCOPE_CHROMEDRIVER``)."""
    from allyscope.browser import find_chromium

    return find_chromium(), _which(CHROMEDRIVER, "ALLYSCOPE_CHROMEDRIVER")


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium (Selenium WebDriver) that can reach only 127.0.0.1."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from allyscope.browser import HEADLESS_FLAGS

    browser, driver_path = find_browser()
    if not browser or not driver_path:
        raise RuntimeError(
            "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        )
    with tempfile.TemporaryDirectory(prefix="allyscope-chromium-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = browser
        for flag in (
            *HEADLESS_FLAGS,
            "--hide-scrollbars",
            # any host other than the local server is unreachable: nothing may load from it
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
        ):
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=opts, service=Service(driver_path))
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


#: JavaScript that describes every plotly figure on the page
PLOTS_JS = """
return Array.from(document.querySelectorAll('.plot[data-figure]')).map(function (el) {
  var traces = (el.data || []).map(function (t) {
    function n(a) { return a ? Array.from(a).filter(function (v) { return v !== null; }).length : 0; }
    return {type: t.type || 'scatter', x: n(t.x), y: n(t.y), z: n(t.z),
            locations: n(t.locations), lat: n(t.lat)};
  });
  return {id: el.getAttribute('data-figure'), traces: traces,
          svg: el.querySelectorAll('.main-svg').length,
          geo: el.querySelectorAll('.choroplethlocation, .geo .countries path, .geo .coastlines path').length,
          map: !!(el._fullLayout && el._fullLayout.geo),
          rendered: el.getAttribute('data-rendered') === 'true' || !!el._fullLayout};
});
"""


def wait_for_plots(driver: Any, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Wait until every figure on the page is drawn (maps: until the country shapes, loaded
    separately, are drawn too); return :data:`PLOTS_JS`'s description."""
    t0 = time.monotonic()
    while True:
        plots = driver.execute_script(PLOTS_JS)
        if all(p["rendered"] and p["svg"] > 0 and (p["geo"] > 0 or not p["map"]) for p in plots):
            return plots
        if time.monotonic() - t0 > timeout:
            return plots
        time.sleep(0.2)


def full_page_screenshot(
    driver: Any, path: str | os.PathLike[str], width: int = 1280, max_height: int = 7000
) -> Path:
    height = int(
        driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
    )
    driver.set_window_size(width, min(max(height, 600), max_height))
    time.sleep(0.5)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(p))
    return p
