"""Debian's chromium driven by Playwright (no `playwright install` download), and the Prefect UI's approval form.

Selectors are those of the V1 UI pages (`/runs/flow-run/<id>`, verified on Prefect 3.9); the URL pins the UI
version, because the V2 pages put Resume in a menu and label the fields differently.
"""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager

CHROMIUM = os.environ.get("FORMWORK_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def unavailable() -> str | None:
    """Why the browser cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (tools/ensure-chromium.sh installs Debian's chromium; or set FORMWORK_CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


@contextmanager
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def log_in(page, ui_url: str, auth_string: str | None, path: str) -> None:
    """Open `path` of the UI, logging in first when the server uses basic auth."""
    if auth_string:
        page.goto(f"{ui_url}/login?redirect={path}")
        page.locator("input[type=password]").fill(auth_string)
        page.keyboard.press("Enter")
    else:
        page.goto(f"{ui_url}{path}")


def approve_in_ui(page, ui_url: str, auth_string: str | None, run_id: str, approver: str, change: str) -> None:
    """Log in (the server uses basic auth), open the paused run, fill the approval form and submit it."""
    log_in(page, ui_url, auth_string, f"/runs/flow-run/{run_id}")
    page.get_by_role("button", name="Resume").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Resume Flow Run").wait_for()
    dialog.locator("textarea").nth(0).fill(approver)  # fields in the form's schema order; get_by_label does not work in V1
    dialog.locator("textarea").nth(1).fill(change)
    dialog.get_by_role("switch").click()  # Approve: off by default
    dialog.get_by_role("button", name="Submit").click()
    page.get_by_text("Flow run resumed").first.wait_for()
