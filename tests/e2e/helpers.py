"""Shared steps for e2e tests."""

from __future__ import annotations

import json
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


def forge_event_argument(page: Page, *, handlers: tuple[str, ...], argument: str, value) -> list[str]:
    """Make the real client send forged events, as a tampered browser could (AUTH-4).

    Every event to a handler whose name ends with one of ``handlers`` (".open_edit") leaves with its
    ``argument`` set to ``value``. Returns the list of the forged events' names, filled as they are sent.
    """
    forged: list[str] = []

    def rewrite(message):
        # socket.io frames: 42<namespace>,[name, data]
        frame = re.match(r"^(42(?:/[^,\[]*,)?)(\[.*)$", message, re.S) if isinstance(message, str) else None
        if frame:
            kind, event = json.loads(frame.group(2))
            name = event.get("name", "") if isinstance(event, dict) else ""
            if kind == "event" and name.endswith(handlers):
                event["payload"][argument] = value
                forged.append(name)
                return frame.group(1) + json.dumps([kind, event])
        return message

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: server.send(rewrite(message)))
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r".*/_event.*"), route)
    return forged
