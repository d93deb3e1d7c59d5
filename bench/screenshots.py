"""Screenshots of every page of the web app and of the report, for a person to look at.

    ALLYSCOPE_HOME=... python bench/screenshots.py [--out bench/out/screenshots]

Starts the web app on a free 127.0.0.1 port, walks through its pages in headless
Chromium (which can reach nothing but that port), waits for the plots, and saves one PNG
per page; then builds the USA-JPN-KOR report and saves it too. The output folder is not
tracked by git.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from allyscope.web.testing import ServerThread, chromium, full_page_screenshot, wait_for_plots

PAGES = (
    ("01-home", "/"),
    ("02-state-kor", "/state/KOR"),
    ("03-group-usa-jpn-kor", "/group?states=USA,JPN,KOR&from=1990"),
    ("04-dyad-jpn-kor", "/dyad/JPN/KOR"),
    ("05-network-east-asia-1955", "/network?year=1955&layer=defense&region=East+Asia&hub=USA"),
    ("06-network-world-2018", "/network?year=2018&layer=defense"),
    ("07-map-kor-2019", "/map?state=KOR&year=2019"),
    ("08-forecast", "/forecast?states=USA,JPN,KOR"),
    ("09-about", "/about"),
    ("10-error-unknown-state", "/state/Japn"),
    ("11-api-docs", "/docs"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "screenshots")
    ap.add_argument("--no-report", action="store_true", help="skip the report screenshot")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    print(f"nproc {os.cpu_count()}")
    with ServerThread() as url, chromium() as driver:
        for name, path in PAGES:
            t0 = time.perf_counter()
            driver.set_window_size(1280, 900)
            driver.get(url + path)
            if path == "/docs":
                time.sleep(2.0)
            plots = wait_for_plots(driver)
            shot = full_page_screenshot(driver, out / f"{name}.png")
            empty = [
                p["id"] for p in plots if not any(t["y"] or t["z"] or t["lat"] for t in p["traces"])
            ]
            print(
                f"{shot}  {len(plots)} plots{' (empty: ' + ', '.join(empty) + ')' if empty else ''}"
                f"  {time.perf_counter() - t0:.1f} s"
            )
        if not args.no_report:
            from allyscope.report import build_report, resolve_group, write_report

            with tempfile.TemporaryDirectory() as tmp:
                html = Path(tmp) / "report.html"
                write_report(build_report(resolve_group(["USA", "JPN", "KOR"])), html)
                driver.set_window_size(900, 900)
                driver.get(html.as_uri())
                plots = wait_for_plots(driver)
                shot = full_page_screenshot(
                    driver, out / "20-report-usa-jpn-kor.png", width=900, max_height=16000
                )
                print(f"{shot}  {len(plots)} plots")


if __name__ == "__main__":
    main()
