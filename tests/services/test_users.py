"""The Users page's services (AUTH-3 invitations, EMAIL-1 invitation mail, AUTH-4 scope), on the database.

The world (tests/conftest.py): the distributor with its admin and viewer; reseller r1 with its admin,
viewer, a tenant admin and a pending admin; reseller r2 with its admin. Every test's writes roll back.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import AuditEvent, Invitation, OutboxEmail, Role, User, UserSession, UserStatus
from msc_app.services import auth, users
from msc_app.services.errors import AuthenticationFailed, DomainError, NotFound, PermissionDenied, ValidationError
from tests.conftest import PASSWORD, password_hash
from tests.services.support import table_counts

BASE_URL = "https://msc.example"
NEW_PASSWORD = "ivy-invitee-password"
T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)

ALL_USERS = {"dist_admin", "dist_viewer", "r1_admin", "r1_viewer", "r2_admin", "tenant_admin", "pending"}
R1_USERS = {"r1_admin", "r1_viewer", "tenant_admin", "pending"}


def _emails(keys) -> set[str]:
    return {f"{k}@example.com" for k in keys}


def _invite(session, world, actor="r1_admin", *, email="ivy@example.com", name="Ivy Invitee", role="viewer",
            account="r1", now=T0):
    return users.invite_user(
        session=session,
        actor=world.actor(actor),
        email=email,
        name=name,
        role=role,
        account_id=world.accounts[account] if account in world.accounts else account,
        base_url=BASE_URL,
        now=now,
    )


def _mails_to(session, address: str) -> list[OutboxEmail]:
    return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)))


def _token(session, address: str) -> str:
    """The token from the newest invitation mail to ``address``: the only place it exists."""
    body = _mails_to(session, address)[-1].body
    match = re.search(re.escape(BASE_URL) + r"/invite/([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


def _stored_user(session, user_id: int) -> dict:
    table = User.__table__
    return dict(session.execute(sa.select(table).where(table.c.id == user_id)).mappings().one())


def _snapshot(session) -> tuple:
    users_table, inv = User.__table__, Invitation.__table__
    return (
        table_counts(session),
        [dict(r) for r in session.execute(sa.select(users_table).order_by(users_table.c.id)).mappings()],
        [dict(r) for r in session.execute(sa.select(inv).order_by(inv.c.id)).mappings()],
        [dict(r) for r in session.execute(sa.select(UserSession.__table__)).mappings()],
    )


# ---------------------------------------------------------------- the list


@pytest.mark.parametrize(
    ("actor", "expected", "can_manage"),
    [
        ("dist_admin", ALL_USERS, True),
        ("dist_viewer", ALL_USERS, False),
        ("r1_admin", R1_USERS, True),
        ("r1_viewer", R1_USERS, False),
        ("r2_admin", {"r2_admin"}, True),
    ],
)
def test_auth_3_auth_4_list_users_shows_only_users_of_accounts_in_scope(session, world, actor, expected, can_manage):
    """AUTH-3/AUTH-4: a reseller sees its own users only, never another reseller's or the distributor's;
    viewers see the same list read-only."""
    page = users.list_users(session=session, actor=world.actor(actor), page_size=100)
    assert {r.email for r in page.rows} == _emails(expected)
    assert page.total == len(expected)
    assert page.can_manage is can_manage
    assert [r.name.lower() for r in page.rows] == sorted(r.name.lower() for r in page.rows)


def test_auth_3_list_users_labels_roles_accounts_and_statuses(session, world):
    rows = {r.email: r for r in users.list_users(session=session, actor=world.actor("dist_admin"), page_size=100).rows}
    r1 = rows["r1_admin@example.com"]
    assert (r1.role_label, r1.account_name, r1.status_label) == ("Reseller admin", "Blue Harbor Resellers", "Active")
    assert rows["dist_viewer@example.com"].role_label == "Distributor viewer"
    assert rows["tenant_admin@example.com"].role_label == "Tenant admin"
    assert rows["pending@example.com"].status_label == "Pending"
    assert rows["dist_admin@example.com"].is_self and not r1.is_self


def test_auth_3_list_users_pages_by_name(session, world):
    actor = world.actor("dist_admin")
    first = users.list_users(session=session, actor=actor, page=1, page_size=3)
    second = users.list_users(session=session, actor=actor, page=2, page_size=3)
    last = users.list_users(session=session, actor=actor, page=99, page_size=3)
    assert first.page_count == 3 and len(first.rows) == 3 and len(second.rows) == 3
    assert last.page == 3 and len(last.rows) == 1
    names = [r.name for r in first.rows + second.rows + last.rows]
    assert names == sorted(names, key=str.lower) and len(set(names)) == len(ALL_USERS)


def test_auth_3_tenant_admin_has_no_users_page(session, world):
    with pytest.raises(PermissionDenied):
        users.list_users(session=session, actor=world.actor("tenant_admin"))
    assert users.invite_accounts(session=session, actor=world.actor("tenant_admin")) == []


def test_auth_3_tenant_perspective_lists_that_tenants_users(session, world):
    """TENANT-1: switched into r1, the distributor admin sees what r1's own admin sees."""
    page = users.list_users(session=session, actor=world.actor("dist_admin", perspective="r1"), page_size=100)
    assert {r.email for r in page.rows} == _emails(R1_USERS)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("dist_admin", {"dist", "r1", "r2"}), ("r1_admin", {"r1"}), ("r2_admin", {"r2"}), ("r1_viewer", set())],
)
def test_auth_3_invite_accounts_are_own_tenant_and_resellers_below(session, world, actor, expected):
    choices = users.invite_accounts(session=session, actor=world.actor(actor))
    assert world.names(c.id for c in choices) == expected
    if choices:
        assert choices[0].id == world.actor(actor).account_id  # its own tenant first


# ---------------------------------------------------------------- inviting


@pytest.mark.parametrize(
    ("actor", "account", "role"),
    [("dist_admin", "dist", "admin"), ("dist_admin", "r1", "tenant_admin"), ("r1_admin", "r1", "viewer")],
)
def test_auth_3_email_1_admin_invites_pending_user_and_queues_link(session, world, actor, account, role):
    """AUTH-3/EMAIL-1: a pending user without password, an invitation storing only the token's hash,
    expiring in 7 days, and the invitation email with the link in the outbox; audited."""
    created = _invite(session, world, actor, role=role, account=account)
    stored = _stored_user(session, created.id)
    assert stored["status"] == UserStatus.PENDING and stored["password_hash"] is None
    assert stored["role"] == role and stored["account_id"] == world.accounts[account]
    assert created.status_label == "Pending" and created.email == "ivy@example.com"

    [mail] = _mails_to(session, "ivy@example.com")
    token = _token(session, "ivy@example.com")
    assert f"{BASE_URL}/invite/{token}" in mail.body and "Ivy Invitee" in mail.body
    assert len(token) >= 40
    [invitation] = session.exec(select(Invitation).where(Invitation.user_id == created.id)).all()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(invitation.model_dump()) and token not in created.model_dump_json()
    assert invitation.expires_at.replace(tzinfo=UTC) == T0 + timedelta(days=7)
    assert invitation.invited_by_user_id == world.users[actor]

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.invite")).one()
    assert event.entity_id == created.id and event.actor_user_id == world.users[actor]
    assert event.after["email"] == "ivy@example.com"
    assert token not in str(event.after)


def test_auth_3_invited_admin_becomes_accounts_first_admin_column(session, world):
    """LIST-2 'Admin' stays right: inviting the first admin of a reseller fills its summary."""
    from msc_app.models import Account

    session.exec(sa.delete(User).where(User.account_id == world.accounts["r2"]))  # r2 without admins
    _invite(session, world, "dist_admin", role="admin", account="r2")
    assert session.get(Account, world.accounts["r2"]).admin_name == "Ivy Invitee"


@pytest.mark.parametrize(
    ("actor", "account", "error"),
    [
        ("r1_admin", "r2", NotFound),  # another reseller
        ("r1_admin", "dist", NotFound),  # its distributor
        ("r2_admin", "r1", NotFound),
        ("r1_admin", 999_999, NotFound),  # missing: the same answer
        ("r1_viewer", "r1", PermissionDenied),
        ("dist_viewer", "r1", PermissionDenied),
        ("tenant_admin", "r1", PermissionDenied),
    ],
)
def test_auth_3_auth_4_invite_refused_outside_scope_or_role_and_nothing_saved(session, world, actor, account, error):
    before = _snapshot(session)
    with pytest.raises(error):
        _invite(session, world, actor, account=account)
    assert _snapshot(session) == before


def test_auth_3_invite_into_a_customer_account_is_refused(session, world):
    before = _snapshot(session)
    with pytest.raises(ValidationError) as refused:
        _invite(session, world, "r1_admin", account="r1_cust1")
    assert set(refused.value.errors) == {"account_id"}
    assert _snapshot(session) == before


@pytest.mark.parametrize("email", ["R1_Admin@Example.com", " r1_admin@example.com ", "PENDING@example.COM"])
def test_auth_3_duplicate_email_is_refused_case_insensitively(session, world, email):
    before = _snapshot(session)
    with pytest.raises(ValidationError) as refused:
        _invite(session, world, "dist_admin", email=email, account="r1")
    assert refused.value.errors == {"email": "A user with this email already exists."}
    assert _snapshot(session) == before


def test_auth_3_invite_reports_every_field_error_and_saves_nothing(session, world):
    before = _snapshot(session)
    with pytest.raises(ValidationError) as refused:
        _invite(session, world, "r1_admin", email="not-an-email", name="  ", role="owner", account="")
    assert set(refused.value.errors) == {"email", "name", "role", "account_id"}
    assert _snapshot(session) == before


def test_auth_3_email_is_stored_lower_case(session, world):
    created = _invite(session, world, email="Ivy.Invitee@Example.COM")
    assert created.email == "ivy.invitee@example.com"
    assert _mails_to(session, "ivy.invitee@example.com")


# ---------------------------------------------------------------- accepting


def test_auth_3_user_is_pending_until_it_sets_its_password(session, world):
    """AUTH-3: the invited user cannot sign in before accepting; accepting sets an argon2 hash and activates."""
    created = _invite(session, world)
    token = _token(session, "ivy@example.com")
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(session=session, email="ivy@example.com", password=NEW_PASSWORD)

    info = users.invitation_for_token(session=session, token=token, now=T0 + timedelta(hours=1))
    assert (info.name, info.email) == ("Ivy Invitee", "ivy@example.com")
    user = users.accept_invitation(session=session, token=token, password=NEW_PASSWORD, now=T0 + timedelta(hours=1))
    assert user.id == created.id
    stored = _stored_user(session, created.id)
    assert stored["status"] == UserStatus.ACTIVE
    assert stored["password_hash"].startswith("$argon2") and NEW_PASSWORD not in stored["password_hash"]
    assert auth.authenticate(session=session, email="ivy@example.com", password=NEW_PASSWORD).id == created.id
    signed_in = auth.actor_for_token(session=session, token=auth.start_session(session=session, user=user))
    assert signed_in is not None and signed_in.name == "Ivy Invitee"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.accept_invitation")).one().actor_user_id \
        == created.id


def test_auth_3_invitation_link_works_only_once(session, world):
    _invite(session, world)
    token = _token(session, "ivy@example.com")
    users.accept_invitation(session=session, token=token, password=NEW_PASSWORD, now=T0)
    for attempt in (
        lambda: users.invitation_for_token(session=session, token=token, now=T0),
        lambda: users.accept_invitation(session=session, token=token, password="another-password-9", now=T0),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.message == users.INVALID_LINK
    assert auth.authenticate(session=session, email="ivy@example.com", password=NEW_PASSWORD)  # unchanged


def test_auth_3_invitation_link_expires_after_seven_days(session, world):
    created = _invite(session, world)
    token = _token(session, "ivy@example.com")
    assert users.invitation_for_token(session=session, token=token, now=T0 + timedelta(days=6, hours=23))
    late = T0 + timedelta(days=7, seconds=1)
    with pytest.raises(DomainError, match="invalid or has expired"):
        users.invitation_for_token(session=session, token=token, now=late)
    with pytest.raises(DomainError, match="invalid or has expired"):
        users.accept_invitation(session=session, token=token, password=NEW_PASSWORD, now=late)
    assert _stored_user(session, created.id)["status"] == UserStatus.PENDING


@pytest.mark.parametrize("token", ["", "x" * 43, "not a token at all", "a" * 500])
def test_auth_3_unknown_token_gets_the_same_answer(session, world, token):
    with pytest.raises(DomainError) as refused:
        users.invitation_for_token(session=session, token=token)
    assert refused.value.message == users.INVALID_LINK


def test_auth_3_weak_password_is_refused_and_the_link_still_works(session, world):
    created = _invite(session, world)
    token = _token(session, "ivy@example.com")
    with pytest.raises(ValidationError) as refused:
        users.accept_invitation(session=session, token=token, password="short", now=T0)
    assert set(refused.value.errors) == {"password"}
    assert _stored_user(session, created.id)["status"] == UserStatus.PENDING
    assert users.invitation_for_token(session=session, token=token, now=T0).name == "Ivy Invitee"


def test_auth_3_resend_replaces_the_old_link(session, world):
    created = _invite(session, world)
    old = _token(session, "ivy@example.com")
    users.resend_invitation(session=session, actor=world.actor("r1_admin"), user_id=created.id, base_url=BASE_URL,
                            now=T0 + timedelta(days=1))
    new = _token(session, "ivy@example.com")
    assert new != old and len(_mails_to(session, "ivy@example.com")) == 2
    with pytest.raises(DomainError, match="invalid or has expired"):
        users.invitation_for_token(session=session, token=old, now=T0 + timedelta(days=1))
    # The new link runs 7 days from the resend.
    assert users.invitation_for_token(session=session, token=new, now=T0 + timedelta(days=7, hours=1))
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.resend_invitation")).one()


def test_auth_3_resend_only_for_pending_users_in_scope(session, world):
    actor = world.actor("r1_admin")
    with pytest.raises(DomainError, match="Only a pending user"):
        users.resend_invitation(session=session, actor=actor, user_id=world.users["r1_viewer"], base_url=BASE_URL)
    before = _snapshot(session)
    with pytest.raises(NotFound):
        users.resend_invitation(session=session, actor=world.actor("r2_admin"), user_id=world.users["pending"],
                                base_url=BASE_URL)
    with pytest.raises(PermissionDenied):
        users.resend_invitation(session=session, actor=world.actor("r1_viewer"), user_id=world.users["pending"],
                                base_url=BASE_URL)
    assert _snapshot(session) == before
    users.resend_invitation(session=session, actor=actor, user_id=world.users["pending"], base_url=BASE_URL)
    assert _mails_to(session, "pending@example.com")  # the seeded pending user gets its first link


# ---------------------------------------------------------------- deactivating


def test_auth_3_deactivation_revokes_sessions_and_refuses_sign_in(session, world):
    target = session.get(User, world.users["r1_viewer"])
    token = auth.start_session(session=session, user=target)
    assert auth.actor_for_token(session=session, token=token) is not None

    result = users.deactivate_user(session=session, actor=world.actor("r1_admin"), user_id=target.id)
    assert result.status_label == "Deactivated"
    assert auth.actor_for_token(session=session, token=token) is None
    assert all(
        s.revoked_at is not None for s in session.exec(select(UserSession).where(UserSession.user_id == target.id))
    )
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(session=session, email=target.email, password=PASSWORD)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).one()
    assert event.entity_id == target.id and event.after["revoked_sessions"] == 1


def test_auth_3_deactivating_a_pending_user_revokes_its_invitation(session, world):
    created = _invite(session, world)
    token = _token(session, "ivy@example.com")
    users.deactivate_user(session=session, actor=world.actor("r1_admin"), user_id=created.id)
    with pytest.raises(DomainError, match="invalid or has expired"):
        users.accept_invitation(session=session, token=token, password=NEW_PASSWORD)
    # Reactivated without a password: pending again, and the old link stays dead.
    assert users.reactivate_user(session=session, actor=world.actor("r1_admin"), user_id=created.id).status == "pending"
    with pytest.raises(DomainError, match="invalid or has expired"):
        users.invitation_for_token(session=session, token=token)


def test_auth_3_reactivation_lets_the_user_sign_in_again(session, world):
    actor = world.actor("dist_admin")
    users.deactivate_user(session=session, actor=actor, user_id=world.users["r1_viewer"])
    assert users.reactivate_user(session=session, actor=actor, user_id=world.users["r1_viewer"]).status == "active"
    assert auth.authenticate(session=session, email="r1_viewer@example.com", password=PASSWORD)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.reactivate")).one()
    with pytest.raises(DomainError, match="not deactivated"):
        users.reactivate_user(session=session, actor=actor, user_id=world.users["r1_viewer"])


@pytest.mark.parametrize(
    ("actor", "target", "error"),
    [
        ("r2_admin", "r1_viewer", NotFound),  # another reseller's user: as if missing
        ("r1_admin", "dist_viewer", NotFound),  # the distributor's user
        ("r1_admin", "r2_admin", NotFound),
        ("r1_admin", 999_999, NotFound),
        ("r1_admin", "not-a-number", NotFound),
        ("r1_viewer", "pending", PermissionDenied),
        ("dist_viewer", "r1_viewer", PermissionDenied),
        ("tenant_admin", "r1_viewer", PermissionDenied),
        ("r1_admin", "r1_admin", DomainError),  # not yourself
    ],
)
@pytest.mark.parametrize("change", [users.deactivate_user, users.reactivate_user])
def test_auth_3_auth_4_deactivate_and_reactivate_refusals_change_nothing(session, world, actor, target, error, change):
    user_id = world.users.get(target, target)
    token = auth.start_session(session=session, user=session.get(User, world.users["r1_viewer"]))
    before = _snapshot(session)
    with pytest.raises(error):
        change(session=session, actor=world.actor(actor), user_id=user_id)
    assert _snapshot(session) == before
    assert auth.actor_for_token(session=session, token=token) is not None


@pytest.mark.parametrize(
    ("actor", "target"), [("dist_admin", "r1_viewer"), ("dist_admin", "dist_viewer"), ("r1_admin", "tenant_admin")]
)
def test_auth_3_admins_deactivate_users_in_their_scope(session, world, actor, target):
    users.deactivate_user(session=session, actor=world.actor(actor), user_id=world.users[target])
    assert _stored_user(session, world.users[target])["status"] == UserStatus.DEACTIVATED


# ---------------------------------------------------------------- the last active admin


def _add_user(session, world, key, *, account="r2", role=Role.ADMIN, status=UserStatus.ACTIVE) -> int:
    user = User(
        email=f"{key}@example.com",
        name=key.replace("_", " ").title(),
        role=role,
        account_id=world.accounts[account],
        status=status,
        password_hash=None if status == UserStatus.PENDING else password_hash(),
    )
    session.add(user)
    session.flush()
    return user.id


def _last_admin_message(account_name: str) -> str:
    return f"{account_name} has no other active admin. Invite or reactivate another admin first."


@pytest.mark.parametrize(
    ("actor", "perspective", "target", "account_name"),
    [
        ("dist_admin", None, "r2_admin", "Crimson Peak IT"),  # r2's only admin
        ("dist_admin", "r2", "r2_admin", "Crimson Peak IT"),  # the same in r2's perspective (TENANT-1)
        ("dist_admin", None, "r1_admin", "Blue Harbor Resellers"),  # r1's other admin is only pending
    ],
)
def test_auth_3_last_active_admin_cannot_be_deactivated_and_nothing_changes(
    session, world, actor, perspective, target, account_name
):
    """An account never loses its last active admin: refused with a clear message, nothing written,
    nothing audited, the admin's sessions stay live."""
    token = auth.start_session(session=session, user=session.get(User, world.users[target]))
    before = _snapshot(session)
    with pytest.raises(DomainError) as refused:
        users.deactivate_user(
            session=session, actor=world.actor(actor, perspective=perspective), user_id=world.users[target]
        )
    assert type(refused.value) is DomainError
    assert refused.value.message == _last_admin_message(account_name)
    assert _snapshot(session) == before
    assert not session.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).all()
    assert _stored_user(session, world.users[target])["status"] == UserStatus.ACTIVE
    assert auth.actor_for_token(session=session, token=token) is not None


@pytest.mark.parametrize("other_status", [UserStatus.PENDING, UserStatus.DEACTIVATED])
def test_auth_3_pending_or_deactivated_admins_do_not_count_as_active(session, world, other_status):
    _add_user(session, world, "second_admin", status=other_status)
    before = _snapshot(session)
    with pytest.raises(DomainError, match="Crimson Peak IT has no other active admin"):
        users.deactivate_user(session=session, actor=world.actor("dist_admin"), user_id=world.users["r2_admin"])
    assert _snapshot(session) == before


@pytest.mark.parametrize("other_role", [Role.VIEWER, Role.TENANT_ADMIN])
def test_auth_3_other_roles_do_not_count_as_admins(session, world, other_role):
    _add_user(session, world, "not_an_admin", role=other_role)
    with pytest.raises(DomainError, match="Crimson Peak IT has no other active admin"):
        users.deactivate_user(session=session, actor=world.actor("dist_admin"), user_id=world.users["r2_admin"])


def test_auth_3_an_admin_may_be_deactivated_while_another_stays_active(session, world):
    actor = world.actor("dist_admin")
    second = _add_user(session, world, "second_admin")
    users.deactivate_user(session=session, actor=actor, user_id=world.users["r2_admin"])
    assert _stored_user(session, world.users["r2_admin"])["status"] == UserStatus.DEACTIVATED
    # Now the second admin is the last one.
    before = _snapshot(session)
    with pytest.raises(DomainError, match="Crimson Peak IT has no other active admin"):
        users.deactivate_user(session=session, actor=actor, user_id=second)
    assert _snapshot(session) == before
    # Reactivation is never refused by the guard; afterwards the second admin may go.
    assert users.reactivate_user(session=session, actor=actor, user_id=world.users["r2_admin"]).status == "active"
    users.deactivate_user(session=session, actor=actor, user_id=second)
    assert _stored_user(session, second)["status"] == UserStatus.DEACTIVATED


def test_auth_3_an_admin_deactivates_a_fellow_admin_of_its_own_account(session, world):
    """The acting admin is an active admin of the same account, so the other one may go."""
    second = _add_user(session, world, "second_admin")
    users.deactivate_user(session=session, actor=world.actor("r2_admin"), user_id=second)
    assert _stored_user(session, second)["status"] == UserStatus.DEACTIVATED


def test_auth_3_pending_admin_and_non_admins_can_be_deactivated_without_another_admin(session, world):
    """Only an active admin's deactivation can leave the account without an active admin."""
    actor = world.actor("dist_admin")
    users.deactivate_user(session=session, actor=actor, user_id=world.users["pending"])
    users.deactivate_user(session=session, actor=actor, user_id=world.users["tenant_admin"])
    viewer = _add_user(session, world, "r2_viewer", role=Role.VIEWER)
    users.deactivate_user(session=session, actor=actor, user_id=viewer)
    for user_id in (world.users["pending"], world.users["tenant_admin"], viewer):
        assert _stored_user(session, user_id)["status"] == UserStatus.DEACTIVATED


def test_auth_3_reactivating_an_admin_of_an_account_without_active_admins(session, world):
    """Reactivation is unaffected by the guard, also when the account has no active admin at all."""
    session.execute(
        sa.update(User.__table__)
        .where(User.__table__.c.id == world.users["r2_admin"])
        .values(status=UserStatus.DEACTIVATED.value)
    )
    done = users.reactivate_user(session=session, actor=world.actor("dist_admin"), user_id=world.users["r2_admin"])
    assert done.status == "active"


def test_auth_3_auth_4_out_of_scope_last_admin_is_still_not_found(session, world):
    """AUTH-4: the guard never answers for a user the actor cannot see; the refusal stays "not found"."""
    before = _snapshot(session)
    for target in (world.users["r2_admin"], world.users["dist_admin"], 999_999):
        with pytest.raises(NotFound) as refused:
            users.deactivate_user(session=session, actor=world.actor("r1_admin"), user_id=target)
        assert refused.value.message == "User not found."
    assert _snapshot(session) == before


def test_auth_3_admin_cannot_deactivate_itself(session, world):
    _add_user(session, world, "second_admin")  # not the last admin: still refused
    before = _snapshot(session)
    with pytest.raises(DomainError, match="cannot deactivate or reactivate yourself"):
        users.deactivate_user(session=session, actor=world.actor("r2_admin"), user_id=world.users["r2_admin"])
    assert _snapshot(session) == before


# ---------------------------------------------------------------- the link's address


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://public.example/msc", "https://public.example/msc"),
        ("https://public.example/", "https://public.example"),  # no double slash
    ],
)
def test_email_1_invitation_link_uses_the_given_base_url(session, world, base_url, expected):
    users.invite_user(
        session=session, actor=world.actor("r1_admin"), email="ivy@example.com", name="Ivy Invitee", role="viewer",
        account_id=world.accounts["r1"], base_url=base_url, now=T0,
    )
    [mail] = _mails_to(session, "ivy@example.com")
    match = re.search(r"(\S+)/invite/([A-Za-z0-9_\-]+)", mail.body)
    assert match and match.group(1) == expected, mail.body
    stored = session.exec(
        select(Invitation).join(User, User.id == Invitation.user_id).where(User.email == "ivy@example.com")
    ).one()
    assert stored.token_hash == hashlib.sha256(match.group(2).encode()).hexdigest()


@pytest.mark.parametrize(
    ("configured", "request_base", "expected"),
    [
        ("https://msc.example.com", "http://10.0.0.5:3000", "https://msc.example.com"),
        ("https://msc.example.com/portal/", "http://10.0.0.5:3000", "https://msc.example.com/portal"),
        ("https://msc.example.com", "", "https://msc.example.com"),  # works even without a usable origin
        (None, "http://localhost:3000", "http://localhost:3000"),
        ("   ", "http://localhost:3000", "http://localhost:3000"),
        (None, "", ""),
    ],
)
def test_email_1_invitation_base_url_prefers_msc_public_url(monkeypatch, configured, request_base, expected):
    if configured is None:
        monkeypatch.delenv("MSC_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("MSC_PUBLIC_URL", configured)
    assert users.invitation_base_url(request_base) == expected
