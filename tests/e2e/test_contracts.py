"""Contracts in real Chromium: the list's pop-up (CONTRACT-1) and the scoped contracts pages (CONTRACT-2)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Contract
from tests.e2e.helpers import sign_in


def _search(page: Page, text: str) -> None:
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(text)
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")


def _contract_id(server, number: str) -> int:
    with session_scope(server.db_url) as session:
        return session.exec(select(Contract.id).where(Contract.number == number)).one()


def test_contract_1_popup_shows_up_to_three_with_view_links(page: Page, app_server):
    """CONTRACT-1: the counts by status open a pop-up with each contract's status and a View link
    to its details page; three contracts need no "View all contracts"."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 01")
    page.get_by_role("button", name="Contracts of Harbor Client 01").click()
    popover = page.get_by_test_id("contracts-popover")
    expect(popover.get_by_test_id("contract-preview-item")).to_have_count(3)
    expect(popover).to_contain_text("Pending")
    expect(popover.get_by_role("link", name=re.compile("View all contracts"))).to_have_count(0)
    popover.get_by_role("link", name="View contract E2E-2").click()
    page.wait_for_url(re.compile(rf"/contracts/{_contract_id(app_server, 'E2E-2')}$"))
    expect(page.get_by_role("heading", name="E2E-2")).to_be_visible()
    expect(page.get_by_text("Contract 2").first).to_be_visible()


def test_contract_1_view_all_contracts_opens_the_filtered_list(page: Page, app_server):
    """CONTRACT-1 / CONTRACT-2: with four contracts the pop-up shows three and "View all contracts",
    which opens the contracts list filtered to that customer."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 02")
    page.get_by_role("button", name="Contracts of Harbor Client 02").click()
    popover = page.get_by_test_id("contracts-popover")
    expect(popover.get_by_test_id("contract-preview-item")).to_have_count(3)
    popover.get_by_role("link", name=re.compile("View all contracts")).click()
    page.wait_for_url(re.compile(r"/contracts\?account=\d+"))
    expect(page.get_by_role("link", name=re.compile(r"^E2E-2-\d$"))).to_have_count(4)
    expect(page.get_by_text("Harbor Client 01")).to_have_count(0)


def test_contract_2_list_and_details_are_scoped(page: Page, app_server):
    """CONTRACT-2 / AUTH-4: a reseller admin's contracts list holds only its customers' contracts,
    and another reseller's contract page answers "not found"."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    page.goto(f"{app_server.base_url}/contracts")
    expect(page.get_by_text("7 in your scope")).to_be_visible()
    expect(page.get_by_role("link", name="E2E-R2-0")).to_have_count(0)
    page.goto(f"{app_server.base_url}/contracts/{_contract_id(app_server, 'E2E-R2-0')}")
    expect(page.get_by_text("Contract not found")).to_be_visible()
    expect(page.get_by_text("Peak Secret Deal")).to_have_count(0)


def test_contract_2_distributor_sees_every_contract(page: Page, app_server):
    """CONTRACT-2: the distributor admin sees the contracts of the whole tree."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.distributor_admin, world.password)
    page.goto(f"{app_server.base_url}/contracts")
    expect(page.get_by_text("8 in your scope")).to_be_visible()
    page.get_by_role("link", name="E2E-R2-0").click()
    expect(page.get_by_text("Peak Secret Deal").first).to_be_visible()
