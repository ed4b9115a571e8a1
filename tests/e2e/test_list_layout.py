"""The customers list's table as laid out in Chromium (issue 14): Name and the row actions in view at
1440 and 1280 px and while the table scrolls sideways (UX-1, LIST-8), the shared row menu and contracts
pop-up from the keyboard (LIST-8, CONTRACT-1), and the loading feedback of an unanswered action (UX-2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from msc_app.services.preferences import CUSTOMER_COLUMNS
from tests.e2e.helpers import customer_row, sign_in

ROW = "Harbor Client 01"
# The element that scrolls sideways: Radix's table keeps its rows in a ScrollArea viewport.
SCROLLER = "[data-msc-table] .rt-ScrollAreaViewport"


def _box_inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def _assert_in_view(page: Page, row, viewport: dict) -> None:
    scroller = page.locator(SCROLLER).bounding_box()
    screen = {"x": 0, "y": 0, **viewport}
    for what, locator in (
        ("Name cell", row.get_by_role("rowheader")),
        ("More options", row.get_by_test_id("row-more-options")),
        ("settings", row.get_by_test_id("customer-settings")),
    ):
        box = locator.bounding_box()
        assert box is not None, what
        assert _box_inside(box, screen), f"{what} {box} outside the viewport {viewport}"
        assert _box_inside(box, scroller), f"{what} {box} outside the table's scroll container {scroller}"
        # Nothing scrolled over it: the pointer at its centre hits the element itself (waited for, so a
        # pop-up still fading out after the sign-in does not count; a column scrolled over it would).
        page.wait_for_function(
            "el => { const r = el.getBoundingClientRect();"
            " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }",
            arg=locator.element_handle(),
            timeout=5000,
        )


def _show_all_columns(page: Page) -> None:
    page.get_by_role("button", name="Columns").click()
    dialog = page.get_by_role("dialog", name="Edit Columns")
    expect(dialog).to_be_visible()
    for column in CUSTOMER_COLUMNS:
        box = dialog.get_by_role("checkbox", name=column.label, exact=True)
        if not column.locked and box.get_attribute("data-state") != "checked":
            box.click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Created")).to_have_count(1)


@pytest.mark.parametrize("width", [1440, 1280])
def test_ux_1_list_8_name_and_row_actions_in_view_at_desktop_widths(page: Page, private_server, width):
    """UX-1 / LIST-8: at 1440 and 1280 px the Name cell and the row's actions lie inside the viewport and
    the table's scroll container without sideways scrolling; with every column shown the table scrolls
    sideways and, scrolled to its far end, Name and the actions are still in view (sticky) and on top."""
    viewport = {"width": width, "height": 900}
    page.set_viewport_size(viewport)
    world = private_server.world
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    row = customer_row(page, ROW)
    expect(row).to_have_count(1)
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    _assert_in_view(page, row, viewport)

    _show_all_columns(page)
    scroller = page.locator(SCROLLER)
    overflow = scroller.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow > 100, f"with every column shown the table should scroll sideways ({overflow}px)"
    _assert_in_view(page, row, viewport)
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert scroller.evaluate("el => el.scrollLeft") > 100
    _assert_in_view(page, row, viewport)
    # The header's Name cell stays too, with an opaque background over what scrolls under it.
    header = page.get_by_role("columnheader", name="Name", exact=True)
    assert _box_inside(header.bounding_box(), scroller.bounding_box())
    background = header.evaluate("el => getComputedStyle(el).backgroundImage + ' ' + getComputedStyle(el).backgroundColor")
    assert "gradient" in background or "rgb(" in background and "rgba(0, 0, 0, 0)" not in background


def test_ux_1_long_text_is_one_line_with_its_full_text_on_hover(page: Page, private_server):
    """UX-1 / LIST-3: every row is one line in Compact density; a cell's text carries its full value in
    its title (hover) and is cut with an ellipsis rather than wrapped."""
    world = private_server.world
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    page.get_by_role("combobox", name="Density").click()
    page.get_by_role("option", name="Compact").click()
    scroller = page.locator("[data-msc-table]")
    expect(scroller).to_have_attribute("data-density", "compact")
    heights = page.locator('[data-testid="customer-row"], [data-testid="context-row"]').evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert heights and max(heights) <= 36, f"compact rows should be one line: {heights}"
    name = customer_row(page, ROW).locator(".msc-name")
    expect(name).to_have_attribute("title", ROW)
    style = name.evaluate("el => [getComputedStyle(el).whiteSpace, getComputedStyle(el).textOverflow]")
    assert style == ["nowrap", "ellipsis"]


def test_list_8_shared_menu_and_contracts_popup_from_the_keyboard(page: Page, private_server):
    """LIST-8 / CONTRACT-1: Enter on a row's More options opens the (one, shared) menu next to that
    button with that row's items; Escape closes it and focus returns to the button. The same for the
    Contracts pop-up, which shows the clicked row's contracts."""
    world = private_server.world
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    row = customer_row(page, ROW)
    # Test ids, not roles: while the (modal) menu is open Radix hides the rest of the page from assistive tech.
    button = row.get_by_test_id("row-more-options")
    expect(button).to_have_accessible_name(f"More options for {ROW}")
    button_box = button.bounding_box()
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    for item in ("Edit", "Delete", "Switch to tenant", "View contracts"):
        expect(menu.get_by_role("menuitem", name=item)).to_be_visible()
    menu_box = menu.bounding_box()
    assert abs(menu_box["y"] - (button_box["y"] + button_box["height"])) < 40, (menu_box, button_box)
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(button).to_be_focused()
    assert page.locator('[role="menu"]').count() == 0  # no per-row menus mounted

    contracts = row.get_by_test_id("contracts-trigger")
    expect(contracts).to_have_accessible_name(f"Contracts of {ROW}")
    contracts.focus()
    page.keyboard.press("Enter")
    popover = page.get_by_test_id("contracts-popover")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text(ROW)
    page.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    expect(contracts).to_be_focused()


def test_ux_2_an_unanswered_action_marks_the_rows_pending_until_they_arrive(page: Page, private_server):
    """UX-2: while the server's answer to a sort is held back, the table is marked pending (aria-busy)
    and, after the 150 ms delay that keeps a fast answer from flashing, its old rows are dimmed; once
    the answer arrives the mark is gone and the rows are in the new order (aria-sort)."""
    held: list = []
    hold = {"on": False, "route": None}

    def route(ws):
        server = ws.connect_to_server()
        hold["route"] = ws

        def from_server(message):
            if hold["on"]:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)
        ws.on_message(lambda message: server.send(message))

    page.route_web_socket(re.compile(r"/_event"), route)
    world = private_server.world
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    column = page.get_by_role("columnheader", name="Name", exact=True)
    expect(column).to_have_attribute("aria-sort", "ascending")
    table = page.locator("[data-msc-table]")
    expect(table).not_to_have_attribute("data-pending", "true")

    hold["on"] = True
    column.get_by_role("button").click()
    expect(table).to_have_attribute("data-pending", "true")
    expect(table).to_have_attribute("aria-busy", "true")

    delay = table.locator("tbody").evaluate("el => getComputedStyle(el).transitionDelay")
    assert delay == "0.15s", delay
    page.wait_for_function("() => Number(getComputedStyle(document.querySelector('[data-msc-table] tbody')).opacity) < 0.6")
    expect(column).to_have_attribute("aria-sort", "ascending")  # the answer has not arrived

    hold["on"] = False
    for message in held:
        hold["route"].send(message)
    expect(column).to_have_attribute("aria-sort", "descending")
    expect(table).not_to_have_attribute("data-pending", "true")
    expect(table).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("customer-row").first).to_be_visible()
    opacity = table.locator("tbody").evaluate("el => getComputedStyle(el).opacity")
    assert float(opacity) == 1.0
