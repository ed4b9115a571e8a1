"""Launching Chromium for tests, benchmarks and screenshots.

Uses the system's Chromium (Debian's /usr/bin/chromium) when present, since
browser downloads are not possible on every machine; else Playwright's own.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    explicit = os.environ.get("MSC_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch_options() -> dict:
    options: dict = {"args": CHROMIUM_ARGS, "headless": True}
    executable = chromium_executable()
    if executable:
        options["executable_path"] = executable
    return options


def launch_chromium(playwright):
    return playwright.chromium.launch(**launch_options())
