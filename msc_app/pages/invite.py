"""/invite/[token]: an invited user sets its password from the invitation email's link (AUTH-3).

Public (no sign-in redirect): the link is the credential. On success the user is signed in and lands
on /customers; an unknown, used, revoked or expired link gets one clear message and a way to sign in.
"""

from __future__ import annotations

import reflex as rx

from msc_app.components.users import invalid_invitation, invite_password_form
from msc_app.pages.shell import public_page
from msc_app.pages.signin import _auth_card
from msc_app.state.users import InviteState


def _content() -> rx.Component:
    return rx.match(
        InviteState.invite_status,
        ("valid", invite_password_form()),
        ("invalid", invalid_invitation()),
        rx.center(rx.spinner(size="3"), padding="24px", width="100%", aria_label="Checking the invitation"),
    )


@public_page(route="/invite/[token]", title="Accept invitation", on_load=[InviteState.on_load])
def invite() -> rx.Component:
    return _auth_card(
        _content(),
        heading=rx.cond(
            InviteState.invite_status == "valid",
            f"Welcome, {InviteState.invitee_name}",
            "Accept your invitation",
        ),
        subheading=rx.cond(
            InviteState.invite_status == "valid",
            "Set a password to activate your MSC account.",
            "Invitations to MSC are single-use links that expire after 7 days.",
        ),
    )
