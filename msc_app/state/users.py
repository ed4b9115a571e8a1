"""The Users page (/users) and the invitation page (/invite/[token]): AUTH-3.

``UsersState`` is thin over ``services.users``: every handler goes through the ``guarded`` seam, which
resolves the actor again for each event, and an id from the browser only says which row was clicked;
the user is read again through the scoped service, the dialogs then work on the server-side copy
(``_target_id``).
``can_manage`` only decides which controls to show; the service refuses viewers anyway.

``InviteState`` serves the link from the invitation email without a session. The token is read from
the URL in each handler and kept only in the backend var ``_token``; on success the new user is signed
in (``auth.start_session``) exactly like the sign-in page does.
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from reflex.config import get_config

from msc_app.db import session_scope
from msc_app.models import UserStatus
from msc_app.services import auth, users
from msc_app.services.errors import DomainError, PermissionDenied
from msc_app.services.permissions import Actor
from msc_app.state.form_errors import form_errors
from msc_app.state.session import SessionState, guarded

_INVITE_FIELDS = ("email", "name", "role", "account_id")


@dataclasses.dataclass
class UserRow:
    id: int = 0
    name: str = ""
    email: str = ""
    role_label: str = ""
    account_name: str = ""
    status: str = ""  # UserStatus value
    status_label: str = ""
    is_self: bool = False


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


def _row(read: users.UserRead) -> UserRow:
    return UserRow(
        id=read.id,
        name=read.name,
        email=read.email,
        role_label=read.role_label,
        account_name=read.account_name,
        status=read.status,
        status_label=read.status_label,
        is_self=read.is_self,
    )


def _text(form_data: dict, field: str) -> str:
    """A form value as text: a forged event may send anything."""
    value = form_data.get(field)
    return "" if value is None else str(value)


class UsersState(SessionState):
    rows: list[UserRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    page_size: int = users.DEFAULT_PAGE_SIZE
    loaded: bool = False
    can_manage: bool = False
    no_access: str = ""  # set for tenant admins, who have no Users page

    # Invite User dialog
    invite_open: bool = False
    account_choices: list[Choice] = []
    default_account: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    form_key: str = ""

    # Deactivate confirmation
    deactivate_open: bool = False
    target_name: str = ""
    deactivate_error: str = ""

    _target_id: int = 0
    _opened: int = 0

    @rx.var
    def first_row_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @rx.var
    def last_row_number(self) -> int:
        return min(self.total, self.page * self.page_size)

    # ------------------------------------------------------------ reading

    def _load(self, actor: Actor) -> None:
        try:
            with session_scope() as session:
                result = users.list_users(session=session, actor=actor, page=self.page, page_size=self.page_size)
        except PermissionDenied as exc:
            self.rows, self.total, self.page, self.page_count = [], 0, 1, 1
            self.can_manage = False
            self.no_access = exc.message
            self.loaded = True
            return
        self.no_access = ""
        self.rows = [_row(r) for r in result.rows]
        self.total = result.total
        self.page = result.page
        self.page_count = result.page_count
        self.can_manage = result.can_manage
        self.loaded = True

    def _close_dialogs(self) -> None:
        self.invite_open = False
        self.deactivate_open = False
        self.deactivate_error = ""
        self._target_id = 0

    def _base_url(self) -> str:
        """Where the invitation link points: ``MSC_PUBLIC_URL`` when set, else the address the admin's
        browser uses for the app."""
        origin = self.router.url.origin
        request_base = ""
        if origin.startswith(("http://", "https://")):
            request_base = origin + get_config().prepend_frontend_path("/").rstrip("/")
        return users.invitation_base_url(request_base)

    @rx.event
    @guarded(page=True)
    def on_load(self):
        self._close_dialogs()
        self.loaded = False
        self.page = 1
        self._load(self._signed_actor())

    @rx.event
    @guarded
    def next_page(self):
        if self.page < self.page_count:
            self.page += 1
        self._load(self._signed_actor())

    @rx.event
    @guarded
    def previous_page(self):
        if self.page > 1:
            self.page -= 1
        self._load(self._signed_actor())

    # ------------------------------------------------------------ Invite User

    @rx.event
    @guarded
    def open_invite(self):
        actor = self._signed_actor()
        self._close_dialogs()
        with session_scope() as session:
            accounts = users.invite_accounts(session=session, actor=actor)
        if not users.can_manage_users(actor) or not accounts:
            return rx.toast.error("You cannot invite users.")
        self._opened += 1
        self.account_choices = [Choice(value=str(a.id), label=f"{a.name} ({a.kind})") for a in accounts]
        self.default_account = str(accounts[0].id)
        self.errors = {}
        self.form_error = ""
        self.form_key = f"invite-{self._opened}"
        self.invite_open = True
        return None

    @rx.event
    def set_invite_open(self, value: bool):
        self.invite_open = bool(value)

    @rx.event
    @guarded
    def submit_invite(self, form_data: dict):
        """Invite: errors next to their fields, nothing saved on error; the email goes out through the outbox."""
        self.errors = {}
        self.form_error = ""
        actor = self._signed_actor()
        if not self.invite_open:
            return None
        values = {field: _text(form_data, field) for field in _INVITE_FIELDS}
        base_url = self._base_url()
        if not base_url:
            self.form_error = "The invitation link cannot be built for this address."
            return None
        try:
            with session_scope() as session:
                invited = users.invite_user(session=session, actor=actor, base_url=base_url, **values)
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return None
        self._close_dialogs()
        self._load(actor)
        return rx.toast.success(f"Invitation sent to {invited.email}.")

    # ------------------------------------------------------------ row actions

    @rx.event
    @guarded
    def resend(self, user_id: int):
        actor = self._signed_actor()
        base_url = self._base_url()
        try:
            with session_scope() as session:
                sent = users.resend_invitation(session=session, actor=actor, user_id=user_id, base_url=base_url)
        except DomainError as exc:
            self._load(actor)
            return rx.toast.error(exc.message)
        self._load(actor)
        return rx.toast.success(f"A new invitation was sent to {sent.email}.")

    @rx.event
    @guarded
    def open_deactivate(self, user_id: int):
        actor = self._signed_actor()
        self._close_dialogs()
        with session_scope() as session:
            target = users.get_user(session=session, actor=actor, user_id=user_id)
        if not users.can_manage_users(actor):
            return rx.toast.error(users.VIEW_ONLY)
        if target.is_self:
            return rx.toast.error("You cannot deactivate yourself.")
        self._target_id = target.id
        self.target_name = target.name
        self.deactivate_open = True
        return None

    @rx.event
    def set_deactivate_open(self, value: bool):
        self.deactivate_open = bool(value)
        if not value:
            self.deactivate_error = ""

    @rx.event
    @guarded
    def confirm_deactivate(self):
        actor = self._signed_actor()
        if not self.deactivate_open or not self._target_id:
            return None
        try:
            with session_scope() as session:
                done = users.deactivate_user(session=session, actor=actor, user_id=self._target_id)
        except DomainError as exc:
            self.deactivate_error = exc.message
            self._load(actor)
            return None
        self._close_dialogs()
        self._load(actor)
        return rx.toast.success(f"{done.name} was deactivated and signed out.")

    @rx.event
    @guarded
    def reactivate(self, user_id: int):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                done = users.reactivate_user(session=session, actor=actor, user_id=user_id)
        except DomainError as exc:
            self._load(actor)
            return rx.toast.error(exc.message)
        self._load(actor)
        if done.status == UserStatus.PENDING:
            return rx.toast.success(f"{done.name} is pending again: send a new invitation.")
        return rx.toast.success(f"{done.name} was reactivated.")


# ---------------------------------------------------------------- /invite/[token]


class InviteState(SessionState):
    invite_status: str = "loading"  # "loading", "valid", "invalid"
    invitee_name: str = ""
    invitee_email: str = ""
    invite_message: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""

    _token: str = ""

    def _token_from_url(self) -> str:
        # /invite/<token>: the last path segment (works under a frontend_path prefix too).
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _invalid(self, message: str) -> None:
        self._token = ""
        self.invitee_name = self.invitee_email = ""
        self.invite_message = message
        self.invite_status = "invalid"

    @rx.event
    def on_load(self):
        self.errors = {}
        self.form_error = ""
        self.invite_status = "loading"
        token = self._token_from_url()
        try:
            with session_scope() as session:
                info = users.invitation_for_token(session=session, token=token)
        except DomainError as exc:
            self._invalid(exc.message)
            return
        self._token = token
        self.invitee_name = info.name
        self.invitee_email = info.email
        self.invite_status = "valid"

    @rx.event
    def accept(self, form_data: dict):
        self.errors = {}
        self.form_error = ""
        token = self._token or self._token_from_url()
        password = _text(form_data, "password")
        if password != _text(form_data, "password_confirm"):
            self.errors = {"password_confirm": "The passwords do not match."}
            return None
        try:
            with session_scope() as session:
                user = users.accept_invitation(session=session, token=token, password=password)
                session_token = auth.start_session(session=session, user=user)
        except DomainError as exc:
            if exc.message == users.INVALID_LINK:
                self._invalid(exc.message)
                return None
            self.errors, self.form_error = form_errors(exc)
            return None
        self._token = ""
        return self._hand_over(session_token, "/customers")
