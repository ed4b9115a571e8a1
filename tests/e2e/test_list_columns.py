"""Edit Columns window and density, persisted per user across sign-ins (LIST-3)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in


def _open_columns(page: Page):
    page.get_by_role("button", name="Columns").click()
    dialog = page.get_by_role("dialog", name="Edit Columns")
    expect(dialog).to_be_visible()
    return dialog


def test_list_3_hidden_columns_and_density_persist_across_sign_ins(page: Page, base_url, world):
    """LIST-3: hide a column and pick a density; both come back at the next sign-in, in a new browser."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    expect(page.get_by_role("columnheader", name="Customer Name")).to_be_visible()
    dialog = _open_columns(page)
    dialog.get_by_role("checkbox", name="Customer Name").click()
    dialog.get_by_role("checkbox", name="Tenant Type").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Customer Name")).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Tenant Type")).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Status")).to_be_visible()

    page.get_by_role("combobox", name="Density").click()
    page.get_by_role("option", name="Compact").click()
    expect(page.get_by_role("combobox", name="Density")).to_have_text("Compact")

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()

    fresh = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    other = fresh.new_page()
    sign_in(other, base_url, world.reseller_admin, world.password)
    expect(other.get_by_role("columnheader", name="Status")).to_be_visible()
    expect(other.get_by_role("columnheader", name="Customer Name")).to_have_count(0)
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_have_count(0)
    expect(other.get_by_role("combobox", name="Density")).to_have_text("Compact")

    # Restore, so the preference does not leak into other tests of this user.
    dialog = _open_columns(other)
    dialog.get_by_role("checkbox", name="Customer Name").click()
    dialog.get_by_role("checkbox", name="Tenant Type").click()
    dialog.get_by_role("button", name="Save").click()
    expect(other.get_by_role("columnheader", name="Customer Name")).to_be_visible()
    other.get_by_role("combobox", name="Density").click()
    other.get_by_role("option", name="Standard").click()
    expect(other.get_by_role("combobox", name="Density")).to_have_text("Standard")
    fresh.close()


def test_list_3_default_columns_cannot_be_hidden(page: Page, base_url, world):
    """LIST-3: Name, Products and Service Plan are locked on in the window."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    dialog = _open_columns(page)
    for name in ("Name", "Products", "Service Plan"):
        box = dialog.get_by_role("checkbox", name=name, exact=True)
        expect(box).to_be_checked()
        expect(box).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    for name in ("Name", "Products", "Service Plan"):
        expect(page.get_by_role("columnheader", name=name, exact=True)).to_be_visible()


def _width(page: Page, name: str) -> float:
    return page.get_by_role("columnheader", name=name).bounding_box()["width"]


def test_list_3_dragging_a_column_border_resizes_it_and_the_width_persists(page: Page, base_url, world):
    """LIST-3: dragging a header's right border widens the column; the width is the user's and comes
    back at the next sign-in; Reset column widths forgets it."""
    sign_in(page, base_url, world.tenant_admin, world.password)
    before = _width(page, "Tenant Type")
    handle = page.get_by_test_id("resize-tenant_type")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=5)
    page.mouse.move(x + 120, y, steps=5)
    page.mouse.up()
    assert _width(page, "Tenant Type") >= before + 100
    expect(page.get_by_role("columnheader", name="Tenant Type")).to_have_attribute("aria-sort", "none")  # not sorted

    fresh = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    other = fresh.new_page()
    sign_in(other, base_url, world.tenant_admin, world.password)
    header = other.get_by_role("columnheader", name="Tenant Type")
    expect(header).to_have_css("width", f"{round(before + 120)}px")

    dialog = _open_columns(other)
    dialog.get_by_role("button", name="Reset column widths").click()
    dialog.get_by_role("button", name="Cancel").click()
    other.reload()
    expect(other.get_by_test_id("customer-row").first).to_be_visible()
    assert abs(_width(other, "Tenant Type") - before) < 2
    fresh.close()
