"""The Security page (/security): the signed-in user's two-factor sign-in (issue 6).

Thin over ``services.two_factor``: every handler goes through the ``guarded`` seam (the actor resolved
again for each event) and acts only on the actor's own user, so no id from the browser is ever used.
The secret and QR code are shown while enrolling (the user needs them to set up its app) and cleared
once confirmed; the recovery codes are shown once, right after they are made.

The seam's page gate (``guarded(page=True)``, ``SessionState._admit``) sends a user whose distributor
requires two-factor and who has not enrolled to /security until it has.
"""

from __future__ import annotations

import base64

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import two_factor
from msc_app.services.errors import DomainError
from msc_app.state.session import SessionState, guarded


def _svg_data_uri(svg: str) -> str:
    """The QR code as an <img> source: no markup of ours goes into the page as HTML."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


class SecurityState(SessionState):
    enabled: bool = False
    enabled_on: str = ""
    recovery_left: int = 0
    required: bool = False  # the user's distributor requires two-factor
    enrolling: bool = False
    secret: str = ""  # shown while enrolling only
    qr_src: str = ""
    recovery_codes: list[str] = []  # shown once, after enrolment or regeneration
    error: str = ""  # next to the code field of the current form
    # The distributor-admin setting.
    can_require: bool = False
    require_on: bool = False
    require_error: str = ""

    @rx.var
    def must_enrol(self) -> bool:
        return self.required and not self.enabled

    def _refresh(self, user_id: int, actor) -> None:
        with session_scope() as session:
            state = two_factor.status(session=session, user_id=user_id)
            self.require_on = two_factor.requirement(session=session, actor=actor)
        self.enabled = state.enabled
        self.enabled_on = state.enabled_at.strftime("%d %b %Y") if state.enabled_at else ""
        self.recovery_left = state.recovery_codes_left
        self.required = state.required
        self.can_require = two_factor.can_set_requirement(actor)

    def _clear_enrolment(self) -> None:
        self.enrolling = False
        self.secret = ""
        self.qr_src = ""

    @rx.event
    @guarded(page=True)
    def on_load(self):
        actor = self._signed_actor()
        self.error = self.require_error = ""
        self.recovery_codes = []
        self._clear_enrolment()
        self._refresh(actor.user_id, actor)

    @rx.event
    @guarded
    def start_enrolment(self):
        actor = self._signed_actor()
        self.error = ""
        try:
            with session_scope() as session:
                enrolment = two_factor.begin_enrolment(session=session, user_id=actor.user_id)
        except DomainError as exc:
            self.error = exc.message
            return
        self.enrolling = True
        self.secret = enrolment.secret
        self.qr_src = _svg_data_uri(enrolment.qr_svg)

    @rx.event
    @guarded
    def cancel_enrolment(self):
        actor = self._signed_actor()
        with session_scope() as session:
            two_factor.cancel_enrolment(session=session, user_id=actor.user_id)
        self._clear_enrolment()
        self.error = ""

    def _with_code(self, actor, form_data: dict, change):
        """Run a change the user proves with a current code (``change(session, user_id, code)``).

        Returns (its result, True), or (None, False) with its refusal shown under the code field.
        """
        self.error = ""
        try:
            with session_scope() as session:
                return change(session, actor.user_id, str(form_data.get("code", ""))), True
        except DomainError as exc:
            self.error = exc.message
            return None, False

    @rx.event
    @guarded
    def confirm_enrolment(self, form_data: dict):
        actor = self._signed_actor()
        codes, done = self._with_code(
            actor, form_data, lambda s, uid, code: two_factor.confirm_enrolment(session=s, user_id=uid, code=code)
        )
        if not done:
            return
        self._clear_enrolment()
        self.recovery_codes = codes
        self._refresh(actor.user_id, actor)
        return rx.toast.success("Two-factor sign-in is on.")

    @rx.event
    @guarded
    def regenerate_codes(self, form_data: dict):
        actor = self._signed_actor()
        codes, done = self._with_code(
            actor,
            form_data,
            lambda s, uid, code: two_factor.regenerate_recovery_codes(session=s, user_id=uid, code=code),
        )
        if not done:
            return
        self.recovery_codes = codes
        self._refresh(actor.user_id, actor)
        return rx.toast.success("New recovery codes made. The old ones no longer work.")

    @rx.event
    @guarded
    def turn_off(self, form_data: dict):
        actor = self._signed_actor()
        _, done = self._with_code(
            actor, form_data, lambda s, uid, code: two_factor.disable(session=s, user_id=uid, code=code)
        )
        if not done:
            return
        self.recovery_codes = []
        self._refresh(actor.user_id, actor)
        return rx.toast.success("Two-factor sign-in is off.")

    @rx.event
    def dismiss_codes(self):
        self.recovery_codes = []

    @rx.event
    @guarded
    def set_requirement(self, required: bool):
        """Distributor admins only: the service refuses anyone else whatever the browser sends."""
        actor = self._signed_actor()
        self.require_error = ""
        try:
            with session_scope() as session:
                two_factor.set_requirement(session=session, actor=actor, required=bool(required))
        except DomainError as exc:
            self.require_error = exc.message
            self._refresh(actor.user_id, actor)
            return
        self._refresh(actor.user_id, actor)
        message = "Two-factor sign-in is now required" if required else "Two-factor sign-in is no longer required"
        return rx.toast.success(f"{message} for every user.")
