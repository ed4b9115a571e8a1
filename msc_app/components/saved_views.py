"""The customers list's "Views" menu (issue 8): my views, views shared with me, save, share, rename, delete.

``saved_views_menu()`` carries its dialogs, so the toolbar places just that.
A view shared by a tenant above is applied like one's own but shows a
read-only marker and no Share, Rename or Delete (the server refuses them anyway).
"""

from __future__ import annotations

import reflex as rx

from msc_app.components.confirm_dialog import confirm_dialog
from msc_app.components.forms import form_dialog, form_field
from msc_app.state.saved_views import RENAME, SavedViewsState

S = SavedViewsState


def _section_title(text: str) -> rx.Component:
    return rx.text(
        text,
        size="1",
        weight="bold",
        color=rx.color("gray", 11),
        text_transform="uppercase",
        letter_spacing="0.04em",
        padding_x="8px",
    )


def _apply_button(view, *details) -> rx.Component:
    """The view's name: clicking it shows the view. A check marks the view the list shows now."""
    return rx.button(
        rx.vstack(
            rx.hstack(
                rx.text(view.name, weight="medium", size="2", trim="both", text_align="left"),
                rx.cond(view.active, rx.icon("check", size=14, color=rx.color("indigo", 11), aria_hidden="true")),
                spacing="2",
                align="center",
            ),
            *details,
            spacing="1",
            align="start",
        ),
        variant="ghost",
        color_scheme="gray",
        size="2",
        height="auto",
        padding="6px 8px",
        margin="0",
        justify_content="start",
        text_align="left",
        flex="1",
        min_width="0",
        on_click=S.apply(view.id),
        aria_label=rx.cond(view.active, f"Apply view {view.name} (shown now)", f"Apply view {view.name}"),
        data_testid="apply-view",
    )


def _share_switch(view) -> rx.Component:
    return rx.tooltip(
        rx.box(
            rx.switch(
                checked=view.shared,
                on_change=lambda value: S.set_shared(view.id, value),
                size="1",
                aria_label=f"Share {view.name} with the tenants below {view.tenant_name}",
            ),
            display="flex",
        ),
        content=rx.cond(
            view.shared,
            f"Shared read-only with the tenants below {view.tenant_name}. Turn off to stop sharing.",
            f"Share read-only with the tenants below {view.tenant_name}",
        ),
    )


def _own_row(view) -> rx.Component:
    return rx.hstack(
        _apply_button(
            view,
            rx.cond(
                view.shared,
                rx.hstack(
                    rx.icon("users", size=12, aria_hidden="true"),
                    rx.text(f"Shared with the tenants below {view.tenant_name}", size="1"),
                    spacing="1",
                    align="center",
                    color=rx.color("indigo", 11),
                ),
            ),
        ),
        rx.cond(view.can_share | view.shared, _share_switch(view)),
        rx.icon_button(
            rx.icon("pencil", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=S.open_rename(view.id),
            aria_label=f"Rename view {view.name}",
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            variant="ghost",
            color_scheme="red",
            size="1",
            on_click=S.open_delete(view.id),
            aria_label=f"Delete view {view.name}",
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_right="6px",
        key=view.id,
        data_testid="my-view",
    )


def _shared_row(view) -> rx.Component:
    return rx.hstack(
        _apply_button(
            view,
            rx.text(
                f"Shared by {view.owner_name} · {view.tenant_name}",
                size="1",
                color=rx.color("gray", 11),
                text_align="left",
            ),
        ),
        rx.tooltip(
            rx.badge(rx.icon("lock", size=12, aria_hidden="true"), "Read-only", variant="soft", color_scheme="gray", size="1"),
            content=f"Only {view.owner_name} can change or delete this view",
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_right="6px",
        key=view.id,
        data_testid="shared-view",
    )


def _menu_body() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            _section_title("My views"),
            rx.cond(
                S.my_views.length() > 0,
                rx.vstack(rx.foreach(S.my_views, _own_row), spacing="1", width="100%"),
                rx.text(
                    "No saved views yet. Save the search, filters, sort and columns you see to come back to them.",
                    size="2",
                    color=rx.color("gray", 11),
                    padding_x="8px",
                ),
            ),
            spacing="1",
            width="100%",
            role="group",
            aria_label="My views",
        ),
        rx.cond(
            S.shared_views.length() > 0,
            rx.vstack(
                _section_title("Shared with you"),
                rx.vstack(rx.foreach(S.shared_views, _shared_row), spacing="1", width="100%"),
                spacing="1",
                width="100%",
                role="group",
                aria_label="Shared with you",
            ),
        ),
        rx.separator(size="4"),
        rx.button(
            rx.icon("bookmark-plus", size=16),
            "Save current view…",
            variant="soft",
            size="2",
            width="100%",
            on_click=S.open_save,
            aria_haspopup="dialog",
        ),
        spacing="3",
        width="100%",
    )


def _views_popover() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("bookmark", size=16),
                "Views",
                rx.icon("chevron-down", size=14),
                variant="soft",
                color_scheme="gray",
                size="3",
                aria_haspopup="dialog",
            ),
        ),
        rx.popover.content(
            rx.scroll_area(_menu_body(), type="auto", scrollbars="vertical", max_height="60vh"),
            width="440px",
            max_width="calc(100vw - 32px)",
            align="end",
            aria_label="Saved views",
        ),
        open=S.menu_open,
        on_open_change=S.set_menu_open,
    )


def _replace_offer() -> rx.Component:
    return rx.cond(
        S.replace_name != "",
        rx.callout(
            rx.hstack(
                rx.text("Replace it with the search, filters, sort and columns you see now?", size="2"),
                rx.button(
                    f"Replace “{S.replace_name}”",
                    type="button",
                    size="1",
                    color_scheme="amber",
                    on_click=S.replace_existing,
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            icon="info",
            color_scheme="amber",
            width="100%",
        ),
    )


def _share_field() -> rx.Component:
    return rx.cond(
        S.can_share_current & (S.dialog_mode != RENAME),
        rx.vstack(
            rx.el.label(
                rx.hstack(
                    rx.switch(name="shared", default_checked=False, id="field-shared"),
                    rx.text(f"Share with the tenants below {S.tenant_name}", size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.text(
                "Their users see it read-only under “Shared with you”; only you can change or delete it. "
                "It shows each of them only the customers in their own scope.",
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="1",
            width="100%",
        ),
    )


def save_view_dialog() -> rx.Component:
    """Save current view… / Rename view: the Name (errors next to it) and, for admins above, Share."""
    renaming = S.dialog_mode == RENAME
    return form_dialog(
        form_field(
            label="Name",
            name="name",
            error=S.errors.get("name", ""),
            required=True,
            auto_focus=True,
            placeholder="e.g. Expiring this quarter",
            default_value=S.dialog_name,
        ),
        _replace_offer(),
        _share_field(),
        title=rx.cond(renaming, "Rename view", "Save current view"),
        description=rx.cond(
            renaming,
            "Give this view another name.",
            "Saves the search, filters, sort and columns you see now under a name, to come back to them from Views.",
        ),
        form_error=S.form_error,
        on_submit=S.submit,
        form_key=S.form_key,
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
        submit_label=rx.cond(renaming, "Rename", "Save"),
    )


def delete_view_dialog() -> rx.Component:
    return confirm_dialog(
        title=f"Delete view “{S.delete_name}”?",
        description=rx.cond(
            S.delete_shared,
            "It is shared: the tenants below you will no longer see it. This cannot be undone.",
            "The view goes for good; the customers it shows are not touched. This cannot be undone.",
        ),
        confirm_label="Delete view",
        on_confirm=S.confirm_delete,
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def saved_views_menu() -> rx.Component:
    """The toolbar's Views button with its menu and dialogs."""
    return rx.fragment(_views_popover(), save_view_dialog(), delete_view_dialog())
