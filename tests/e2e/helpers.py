"""Shared steps for e2e tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/customers**")
    expect(page.get_by_test_id("customer-total")).to_contain_text("in your scope")


def row_names(page: Page) -> list[str]:
    """The Name cell of every row on the current page of the customers list."""
    return [
        cell.inner_text().split("\n")[0].strip()
        for cell in page.get_by_test_id("customer-row").locator("th").all()
    ]


def all_row_names(page: Page) -> set[str]:
    """Walk every page of the list and collect the names."""
    names: set[str] = set()
    while True:
        names.update(row_names(page))
        next_button = page.get_by_role("button", name="Next")
        if next_button.is_disabled():
            return names
        summary = page.get_by_test_id("pager-summary").inner_text()
        next_button.click()
        expect(page.get_by_test_id("pager-summary")).not_to_have_text(summary)


def customer_row(page: Page, name: str):
    """The list row whose Name cell starts with ``name`` (not rows merely mentioning it as parent)."""
    header = page.get_by_role("rowheader", name=re.compile(rf"^{re.escape(name)}\b"))
    return page.get_by_test_id("customer-row").filter(has=header)
