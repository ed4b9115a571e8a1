"""Issue 8: personal API tokens on the Profile page, used against the REST API in the same browser.

A token is shown once, acts exactly as its user (a reseller admin's token lists that reseller's
customers only), and stops working the moment it is revoked.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import ApiToken
from tests.e2e.helpers import sign_in


def _open_profile(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Profile and API tokens").click()
    expect(page).to_have_url(re.compile(r"/profile"))
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()


def _api(page: Page, base_url: str, token: str, path: str = "/api/v1/customers?size=100"):
    return page.request.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"})


def test_api_token_is_shown_once_acts_as_its_user_and_dies_when_revoked(page: Page, private_server):
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _open_profile(page)
    expect(page.get_by_text("No API tokens yet.")).to_be_visible()

    page.get_by_role("button", name="New token").click()
    dialog = page.get_by_role("dialog", name="New API token")
    dialog.get_by_label("Name").fill("   ")  # only spaces: the browser lets it through, the server refuses
    dialog.get_by_role("button", name="Create token").click()
    expect(dialog.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator("#field-name-error")).not_to_be_empty()
    dialog.get_by_label("Name").fill("PSA sync")
    dialog.get_by_role("button", name="Create token").click()
    expect(dialog).to_be_hidden()
    shown = page.get_by_test_id("new-api-token")
    expect(shown).to_have_text(re.compile(r"^msc_\S{40,}$"))
    token = shown.inner_text()
    row = page.get_by_test_id("api-token-row").filter(has_text="PSA sync")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(token[:12])
    with session_scope(private_server.db_url) as session:
        stored = session.exec(select(ApiToken)).all()
    assert len(stored) == 1 and token not in (stored[0].token_hash, stored[0].token_prefix)

    # Acts as the reseller admin: its customers, and no one else's.
    response = _api(page, base_url, token)
    assert response.status == 200
    names = {item["name"] for item in response.json()["items"]}
    assert set(world.r1_customers) <= names
    assert not names & set(world.r2_customers)
    assert _api(page, base_url, "msc_forged-token").status == 401

    # Shown once: gone after Done and after a reload.
    page.get_by_role("button", name="Done").click()
    expect(shown).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("api-token-row")).to_have_count(1)
    assert token not in page.content()

    page.get_by_role("button", name="Revoke token PSA sync").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Revoke the token “PSA sync”?")
    confirm.get_by_role("button", name="Cancel").click()
    assert _api(page, base_url, token).status == 200
    page.get_by_role("button", name="Revoke token PSA sync").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Yes, Revoke").click()
    expect(page.get_by_test_id("api-token-row").filter(has_text="PSA sync")).to_contain_text("Revoked")
    assert _api(page, base_url, token).status == 401
