"""Onboarding status in real Chromium (STATUS-1, STATUS-2): the ring opens the task list, where an
admin starts and completes tasks. These change tasks, so they run on a server of their own."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import customer_row, sign_in


def _row(page: Page, name: str):
    return customer_row(page, name)


def _open_tasks(page: Page, name: str):
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(name)
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    page.get_by_role("button", name=f"Onboarding tasks of {name}").click()
    dialog = page.get_by_test_id("onboarding-dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_status_1_admin_starts_and_completes_tasks(page: Page, private_server):
    """STATUS-1/2: the ring shows done/total; the task list starts and completes a task, the ring
    follows, and a customer whose onboarding is complete shows ---."""
    world = private_server.world
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    dialog = _open_tasks(page, "Harbor Client 01")
    expect(dialog).to_contain_text("2 of 5 tasks done")
    task = dialog.get_by_test_id("onboarding-task").filter(has_text="Assign service plan")
    task.get_by_role("button", name="Start Assign service plan").click()
    expect(task).to_contain_text("In progress")
    task.get_by_role("button", name="Complete Assign service plan").click()
    expect(task).to_contain_text("Done")
    expect(dialog).to_contain_text("3 of 5 tasks done")
    for kind in ("Add product", "Connect billing data"):
        dialog.get_by_role("button", name=f"Complete {kind}").click()
    expect(dialog).to_contain_text("5 of 5 tasks done")
    dialog.get_by_role("button", name="Close").click()
    expect(_row(page, "Harbor Client 01").get_by_label("Onboarding complete")).to_have_text("---")


def test_status_1_tenant_admin_sees_tasks_but_cannot_change_them(page: Page, private_server):
    """STATUS-1 / AUTH-4: a tenant admin may look at the task list, without Start or Complete."""
    world = private_server.world
    sign_in(page, private_server.base_url, world.tenant_admin, world.password)
    dialog = _open_tasks(page, "Harbor Client 02")
    expect(dialog).to_contain_text("3 of 5 tasks done")
    expect(dialog.get_by_test_id("onboarding-task")).to_have_count(5)
    expect(dialog.get_by_role("button", name="Start")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Complete")).to_have_count(0)


def test_status_2_reseller_sees_its_own_status_as_dashes(page: Page, private_server):
    """STATUS-2: the distributor sees a reseller's onboarding progress; the reseller always sees
    its own status as ---."""
    world = private_server.world
    sign_in(page, private_server.base_url, world.distributor_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("Blue Harbor")
    search.press("Enter")
    expect(_row(page, "Blue Harbor Resellers")).to_contain_text("1/5")
    page.context.clear_cookies()
    sign_in(page, private_server.base_url, world.reseller_admin, world.password)
    row = _row(page, "Blue Harbor Resellers")
    expect(row.get_by_label("Onboarding complete")).to_have_text("---")
