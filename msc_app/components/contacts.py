"""The Contacts card of /customers/<id> (DETAIL-4): the table, New Contact, Edit and Delete with confirmation.

``contacts_card()`` carries its two dialogs, so the page places just that.
New Contact, Edit and Delete appear only while ``ContactsState.can_manage``
(the server refuses anyone else anyway).
"""

from __future__ import annotations

import reflex as rx

from msc_app.components.confirm_dialog import confirm_dialog
from msc_app.components.forms import form_dialog, form_field
from msc_app.state.customer_contacts import ContactsState

S = ContactsState


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "")


# ---------------------------------------------------------------- the table


def _row_actions(contact) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=S.open_edit(contact.id),
                aria_label=f"Edit contact {contact.name}",
            ),
            content="Edit",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                size="1",
                on_click=S.open_delete(contact.id),
                aria_label=f"Delete contact {contact.name}",
            ),
            content="Delete",
        ),
        spacing="3",
        justify="end",
    )


def _contact_row(contact) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(contact.name, weight="medium")),
        # A plain <a href="mailto:...">: not a route for the client-side router.
        rx.table.cell(rx.link(contact.email, href=f"mailto:{contact.email}", as_child=False)),
        rx.table.cell(
            rx.cond(
                contact.phone != "",
                rx.text(contact.phone, white_space="nowrap"),
                rx.text("—", color=rx.color("gray", 11), aria_label="No phone number"),
            )
        ),
        rx.cond(S.can_manage, rx.table.cell(_row_actions(contact), width="1%", white_space="nowrap")),
        key=contact.id,
        align="center",
        data_testid="contact-row",
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Name"),
                rx.table.column_header_cell("Email"),
                rx.table.column_header_cell("Phone"),
                rx.cond(
                    S.can_manage,
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="msc-sr-only")),
                ),
            ),
        ),
        rx.table.body(rx.foreach(S.contacts, _contact_row)),
        variant="ghost",
        size="2",
        width="100%",
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("contact", size=28, color=rx.color("gray", 9), aria_hidden="true"),
            rx.text("No contacts yet.", weight="medium", size="2"),
            rx.text(
                rx.cond(
                    S.can_manage,
                    "Add the people to talk to at this customer with New Contact.",
                    "The people to talk to at this customer appear here once an admin adds them.",
                ),
                size="2",
                color=rx.color("gray", 11),
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        padding="24px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
    )


def _body() -> rx.Component:
    return rx.cond(
        S.contacts_loaded,
        rx.cond(S.contacts.length() > 0, _table(), _empty()),
        rx.center(rx.spinner(size="2"), padding="24px", width="100%", aria_label="Loading contacts"),
    )


# ---------------------------------------------------------------- the dialogs


def contact_dialog() -> rx.Component:
    """New Contact / Edit Contact: Name, Email, Phone Number; errors under their fields; Enter saves."""
    return form_dialog(
        form_field(
            label="Name",
            name="name",
            error=_error("name"),
            required=True,
            auto_focus=True,
            autocomplete="name",
            default_value=S.contact_name,
        ),
        form_field(
            label="Email",
            name="email",
            type="email",
            error=_error("email"),
            required=True,
            autocomplete="email",
            placeholder="name@example.com",
            default_value=S.contact_email,
        ),
        form_field(
            label="Phone Number",
            name="phone",
            type="tel",
            error=_error("phone"),
            autocomplete="tel",
            placeholder="+1 415 555 0100",
            hint="Optional.",
            default_value=S.contact_phone,
        ),
        title=rx.cond(S.editing, "Edit Contact", "New Contact"),
        description=rx.cond(
            S.editing,
            "Change this contact's name, email or phone number.",
            "Someone to talk to at this customer. Name and email are required.",
        ),
        form_error=S.form_error,
        on_submit=S.submit,
        form_key=S.form_key,
        open=S.contact_dialog_open,
        on_open_change=S.set_contact_dialog_open,
    )


def delete_contact_dialog() -> rx.Component:
    """Delete asks first: the contact goes for good."""
    return confirm_dialog(
        title=f"Delete contact {S.delete_name}?",
        description=f"{S.delete_name} will be removed from this customer's contacts. This cannot be undone.",
        confirm_label="Yes, Delete",
        on_confirm=S.confirm_delete,
        open=S.delete_dialog_open,
        on_open_change=S.set_delete_dialog_open,
    )


# ---------------------------------------------------------------- the card


def contacts_card() -> rx.Component:
    """DETAIL-4: the customer's contacts, with the New Contact, Edit and Delete dialogs."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Contacts", size="4", as_="h2"),
                rx.cond(
                    S.contacts.length() > 0,
                    rx.badge(S.contacts.length(), variant="soft", color_scheme="gray", radius="full"),
                ),
                rx.spacer(),
                rx.cond(
                    S.can_manage,
                    rx.button(rx.icon("plus", size=14), "New Contact", variant="soft", size="2", on_click=S.open_new),
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            _body(),
            spacing="4",
            width="100%",
        ),
        contact_dialog(),
        delete_contact_dialog(),
        size="3",
        width="100%",
        role="region",
        aria_label="Contacts",
    )
