"""Take headless-Chromium screenshots of MSC pages, as a user sees them.

    python scripts/screenshot.py --base http://localhost:3000 --email admin@... --password ... --out docs/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from msc_app.browser import launch_chromium


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:3000")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--out", default="/tmp/msc-shots")
    parser.add_argument("--path", action="append", default=[], help="extra pages to capture after sign-in")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{args.base}/signin")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "signin.png"))
        if args.email:
            page.get_by_label("Email").fill(args.email)
            page.get_by_label("Password").fill(args.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/customers**")
            page.get_by_test_id("customer-row").first.wait_for()
            page.screenshot(path=str(out / "customers.png"))
            for extra in args.path:
                page.goto(f"{args.base}{extra}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / (extra.strip("/").replace("/", "_") or "home") + ".png"))
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
