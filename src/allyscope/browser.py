"""Finding headless Chromium: one finder and one set of flags for the PDF printer and the
browser tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: an offline headless Chromium: no background traffic, no extensions, no first-run pages
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
)


def find_chromium() -> str | None:
    """Path of Chromium (``ALLYSCOPE_CHROMIUM``, Debian's /usr/bin/chromium, or on PATH)."""
    env = os.environ.get("ALLYSCOPE_CHROMIUM")
    if env:
        return env
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


__all__ = ["CHROMIUM_CANDIDATES", "HEADLESS_FLAGS", "find_chromium"]
