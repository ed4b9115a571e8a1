"""Saved views of the customers list, shared down the hierarchy, in real Chromium (issue 8; LIST-9, AUTH-4).

The distributor admin saves a filtered, sorted view with its own columns and shares it; the reseller
admin finds it under "Shared with you", applies it and gets the same search, filters, sort and columns
on its own rows only, and can neither change nor delete it (not in the menu, and not by forging the
events); the owner deletes a view after confirming; a viewer saves private views only.

These tests change data, so they run on a server of their own (``private_server``).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, SavedView, User
from msc_app.services import saved_views
from msc_app.services.permissions import Actor
from tests.e2e.helpers import forge_event_argument, row_names, sign_in

# Search "cli", onboarding complete, by name descending; Organization shown, Tenant Type hidden.
VIEW_URL = "/customers?q=cli&status=complete&sort=name&desc=1&cols=name,customer_name,organization,products,service_plan,status"
DISTRIBUTOR_TOTAL, RESELLER_TOTAL = 29, 28  # the distributor's rows include Direct Beta Clinic
DISTRIBUTOR = "Northwind Distribution"


def _actor(server, email: str) -> Actor:
    with session_scope(server.db_url) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        home = session.get(Account, user.account_id)
        return Actor(user_id=user.id, role=user.role, home_account_id=home.id, home_kind=home.kind, name=user.name)


def _seed_view(server, email: str, name: str, *, shared: bool, query: dict | None = None) -> int:
    """A view saved through the service, as the user ``email`` in its own tenant."""
    with session_scope(server.db_url) as session:
        view = saved_views.save_view(
            session=session,
            actor=_actor(server, email),
            name=name,
            query_params=query or {"q": "harbor"},
            columns=None,
            shared=shared,
        )
        return view.id


def _stored(server, view_id: int) -> SavedView | None:
    with session_scope(server.db_url) as session:
        return session.get(SavedView, view_id)


def _open_views(page: Page):
    page.get_by_role("button", name="Views").click()
    menu = page.get_by_role("dialog", name="Saved views")
    expect(menu).to_be_visible()
    return menu


def _apply_button(menu, name: str):
    return menu.get_by_role("button", name=re.compile(rf"^Apply view {re.escape(name)}\b"))


def _total(page: Page, count: int) -> None:
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{count} in your scope")


def test_a_distributors_shared_view_reaches_the_reseller_read_only_on_its_own_rows(page: Page, private_server):
    """Issue 8: saved with search, filter, sort and columns, shared below the distributor; the reseller
    applies it and gets exactly that on its own rows, with no way to change or delete it."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.goto(base_url + VIEW_URL)
    _total(page, DISTRIBUTOR_TOTAL)

    menu = _open_views(page)
    expect(menu.get_by_text("No saved views yet.")).to_be_visible()
    menu.get_by_role("button", name="Save current view…").click()
    dialog = page.get_by_role("dialog", name="Save current view")
    dialog.get_by_label("Name").fill("Done clients")
    dialog.get_by_role("switch", name=f"Share with the tenants below {DISTRIBUTOR}").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"saved and shared with the tenants below {DISTRIBUTOR}")).to_be_visible()
    with session_scope(private_server.db_url) as session:
        stored = session.exec(select(SavedView).where(SavedView.name == "Done clients")).one()
    assert stored.shared is True
    assert stored.query == {"q": "cli", "status": "complete", "desc": "1"}  # sort by name is the default
    assert stored.columns == ["name", "customer_name", "organization", "products", "service_plan", "status"]

    menu = _open_views(page)
    mine = menu.get_by_role("group", name="My views")
    expect(_apply_button(mine, "Done clients")).to_have_accessible_name(re.compile(r"\(shown now\)$"))
    expect(mine.get_by_role("switch", name=re.compile("^Share Done clients"))).to_be_checked()
    page.keyboard.press("Escape")

    # The reseller admin, in its own browser, starts from its own plain list.
    reseller_context = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    other = reseller_context.new_page()
    sign_in(other, base_url, world.reseller_admin, world.password)
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_be_visible()
    menu = _open_views(other)
    expect(menu.get_by_role("group", name="My views")).to_contain_text("No saved views yet.")
    shared = menu.get_by_role("group", name="Shared with you")
    row = shared.get_by_test_id("shared-view").filter(has_text="Done clients")
    expect(row).to_contain_text(f"Shared by Dana Distributor · {DISTRIBUTOR}")
    expect(row).to_contain_text("Read-only")
    # Read-only: no Share, Rename or Delete for it.
    expect(menu.get_by_role("switch")).to_have_count(0)
    expect(menu.get_by_role("button", name=re.compile("^(Delete|Rename) view"))).to_have_count(0)

    _apply_button(shared, "Done clients").click()
    expect(menu).to_be_hidden()
    _total(other, RESELLER_TOTAL)
    expect(other).to_have_url(re.compile(r"q=cli.*status=complete"))
    expect(other.get_by_role("searchbox", name="Search customers")).to_have_value("cli")
    expect(other.get_by_test_id("filter-chip")).to_have_text(["Onboarding complete"])
    expect(other.get_by_role("columnheader", name="Name", exact=True)).to_have_attribute("aria-sort", "descending")
    expect(other.get_by_role("columnheader", name="Organization")).to_be_visible()
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_have_count(0)
    names = row_names(other)
    assert "Direct Beta Clinic" not in names  # the distributor's own customer: outside the reseller's scope
    assert names[:2] == ["Harbor Client 30", "Harbor Client 29"]  # its reseller row above them is context

    # Reloading keeps the view (LIST-9), and the menu marks it as the one shown.
    other.reload()
    _total(other, RESELLER_TOTAL)
    expect(_apply_button(_open_views(other), "Done clients")).to_have_accessible_name(re.compile(r"\(shown now\)$"))
    reseller_context.close()


def test_a_reseller_cannot_delete_or_unshare_a_view_shared_from_above(page: Page, private_server):
    """AUTH-4: the reseller's own Delete and Share controls, with the shared view's id forged into
    their events, answer "View not found." and change nothing."""
    base_url, world = private_server.base_url, private_server.world
    target = _seed_view(private_server, world.distributor_admin, "Forge target", shared=True)
    _seed_view(private_server, world.reseller_admin, "Reseller own", shared=False)
    forged = forge_event_argument(
        page,
        handlers=("saved_views_state.open_delete", "saved_views_state.set_shared", "saved_views_state.open_rename"),
        argument="view_id",
        value=target,
    )
    sign_in(page, base_url, world.reseller_admin, world.password)
    menu = _open_views(page)
    expect(menu.get_by_role("group", name="Shared with you")).to_contain_text("Forge target")
    mine = menu.get_by_role("group", name="My views")

    mine.get_by_role("button", name="Delete view Reseller own").click()
    expect(page.get_by_text("View not found.")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    # The menu stays open after a refusal, read again.
    mine.get_by_role("switch", name=re.compile("^Share Reseller own")).click()
    expect(page.get_by_text("View not found.").first).to_be_visible()
    expect(mine.get_by_role("switch", name=re.compile("^Share Reseller own"))).not_to_be_checked()

    mine.get_by_role("button", name="Rename view Reseller own").click()
    expect(page.get_by_text("View not found.").first).to_be_visible()
    expect(page.get_by_role("dialog", name="Rename view")).to_have_count(0)

    assert len(forged) == 3
    kept = _stored(private_server, target)
    assert kept is not None and kept.shared is True and kept.name == "Forge target"


def test_the_owner_deletes_a_view_after_confirming(page: Page, private_server):
    """Delete asks first; Cancel keeps the view; "Delete view" removes it for the owner and for the
    tenants it was shared with."""
    base_url, world = private_server.base_url, private_server.world
    view_id = _seed_view(private_server, world.distributor_admin, "Short lived", shared=True)
    sign_in(page, base_url, world.distributor_admin, world.password)

    _open_views(page).get_by_role("button", name="Delete view Short lived").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete view “Short lived”?")
    expect(confirm).to_contain_text("It is shared")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    assert _stored(private_server, view_id) is not None

    _open_views(page).get_by_role("button", name="Delete view Short lived").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete view").click()
    expect(page.get_by_text("View “Short lived” deleted.")).to_be_visible()
    assert _stored(private_server, view_id) is None
    expect(_open_views(page).get_by_text("Short lived")).to_have_count(0)


def test_a_viewer_saves_private_views_only(page: Page, private_server):
    """A reseller viewer gets no Share switch, and a forged "shared" is refused with nothing saved;
    a name already used is reported next to the field, with an offer to replace that view."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_viewer, world.password)

    def save(name: str):
        _open_views(page).get_by_role("button", name="Save current view…").click()
        dialog = page.get_by_role("dialog", name="Save current view")
        expect(dialog.get_by_role("switch")).to_have_count(0)
        dialog.get_by_label("Name").fill(name)
        return dialog

    dialog = save("My harbor")
    dialog.evaluate(
        "d => { const i = document.createElement('input'); i.name = 'shared'; i.value = 'on'; d.querySelector('form').appendChild(i); }"
    )
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Only admins of a distributor or a reseller can share")
    with session_scope(private_server.db_url) as session:
        assert session.exec(select(SavedView).where(SavedView.name == "My harbor")).first() is None
    dialog.get_by_role("button", name="Cancel").click()

    dialog = save("My harbor")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("View “My harbor” saved.")).to_be_visible()

    dialog = save("MY HARBOR")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-name-error")).to_have_text("You already have a view named “My harbor”.")
    dialog.get_by_role("button", name="Replace “MY HARBOR”").click()
    expect(dialog).to_be_hidden()
    with session_scope(private_server.db_url) as session:
        views = session.exec(select(SavedView).where(SavedView.name.in_(["My harbor", "MY HARBOR"]))).all()
    assert [(v.name, v.shared) for v in views] == [("MY HARBOR", False)]
