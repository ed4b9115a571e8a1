"""STATUS-1 (the onboarding task list: start and complete) and STATUS-2 (complete shows ---), on the database.

Each test seeds the five onboarding tasks of a customer in the rolled-back
test transaction. Every refusal is checked twice: the error, and that the
database is exactly as before (row counts, the account's row, the task rows).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import Account, AuditEvent, OnboardingTask, OnboardingTaskKind, TaskStatus
from msc_app.services import onboarding, summaries
from msc_app.services.errors import DomainError, NotFound, PermissionDenied
from msc_app.services.onboarding import complete_task, list_tasks, start_task
from tests.services.support import database_state, row

MISSING_ID = 999_999
SEEDED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
NS, IP, DONE = TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE


def _seed(session, account_id: int, statuses: list[TaskStatus] | None = None) -> dict[OnboardingTaskKind, int]:
    """The five tasks (inserted in reverse kind order, so order comes from the service); kind -> id."""
    statuses = statuses or [NS] * len(OnboardingTaskKind)
    ids = {}
    for kind, status in reversed(list(zip(OnboardingTaskKind, statuses, strict=True))):
        task = OnboardingTask(account_id=account_id, kind=kind, status=status, updated_at=SEEDED_AT)
        session.add(task)
        session.flush()
        ids[kind] = task.id
    summaries.refresh_onboarding(session=session, account_id=account_id)
    session.flush()
    return ids


def _onboarding_columns(session, account_id: int) -> tuple[int, int, int]:
    stored = row(session, Account, account_id)
    return stored["onboarding_done"], stored["onboarding_total"], stored["onboarding_progress"]


def _task_rows(session) -> list[dict]:
    table = OnboardingTask.__table__
    return [dict(r) for r in session.execute(sa.select(table).order_by(table.c.id)).mappings()]


def _events(session, task_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "onboarding_task", AuditEvent.entity_id == task_id)
            .order_by(AuditEvent.id)
        )
    )


def _not_found(fn) -> str:
    with pytest.raises(NotFound) as excinfo:
        fn()
    return str(excinfo.value)


# ---------------------------------------------------------------- reading


def test_status_1_list_tasks_in_kind_order_with_status_and_time(session, world):
    """STATUS-1: the task list shows the five tasks in their fixed order, with status and last change."""
    account_id = world.accounts["r1_cust2"]
    ids = _seed(session, account_id, [DONE, IP, NS, NS, DONE])
    tasks = list_tasks(session=session, actor=world.actor("r1_viewer"), account_id=account_id)
    assert [t.kind for t in tasks] == [k.value for k in OnboardingTaskKind]
    assert [t.status for t in tasks] == ["Done", "In progress", "Not started", "Not started", "Done"]
    assert [t.id for t in tasks] == [ids[k] for k in OnboardingTaskKind]
    assert {t.account_id for t in tasks} == {account_id}
    assert all(t.updated_at.replace(tzinfo=UTC) == SEEDED_AT for t in tasks)


@pytest.mark.parametrize(
    ("user", "perspective", "target", "visible"),
    [
        ("dist_admin", None, "r2_cust1", True),
        ("r1_admin", None, "r1_cust1", True),
        ("r1_admin", None, "r2_cust1", False),
        ("r2_admin", None, "r1_cust1", False),
        ("tenant_admin", None, "r1_cust1", True),
        ("tenant_admin", None, "r1_cust2", False),
        ("dist_admin", "r2", "r1_cust1", False),
        ("r1_admin", "r1_cust2", "r1_cust1", False),
    ],
)
def test_status_1_task_list_is_scoped(session, world, user, perspective, target, visible):
    """STATUS-1 / AUTH-4: the tasks of a customer outside scope answer exactly like a missing customer."""
    account_id = world.accounts[target]
    _seed(session, account_id)
    actor = world.actor(user, perspective=perspective)
    missing = _not_found(lambda: list_tasks(session=session, actor=actor, account_id=MISSING_ID))
    if visible:
        assert len(list_tasks(session=session, actor=actor, account_id=account_id)) == len(OnboardingTaskKind)
    else:
        assert _not_found(lambda: list_tasks(session=session, actor=actor, account_id=account_id)) == missing


# ---------------------------------------------------------------- changing


def test_status_1_start_then_complete_updates_task_summary_and_audit(session, world):
    """STATUS-1: an admin starts a task, then completes it; the list's Status column and the audit trail follow."""
    account_id = world.accounts["r1_cust2"]
    ids = _seed(session, account_id)
    task_id = ids[OnboardingTaskKind.SIGN_CONTRACT]
    actor = world.actor("r1_admin")
    assert _onboarding_columns(session, account_id) == (0, 5, 0)

    started = start_task(session=session, actor=actor, task_id=task_id)
    assert (started.id, started.kind, started.status) == (task_id, "Sign contract", "In progress")
    assert datetime.now(UTC) - started.updated_at < timedelta(minutes=1)
    assert row(session, OnboardingTask, task_id)["status"] == "In progress"
    assert _onboarding_columns(session, account_id) == (0, 5, 0)

    done = complete_task(session=session, actor=actor, task_id=task_id)
    assert done.status == "Done"
    assert row(session, OnboardingTask, task_id)["status"] == "Done"
    assert _onboarding_columns(session, account_id) == (1, 5, 200)

    events = _events(session, task_id)
    assert [(e.action, e.account_id, e.actor_user_id, e.perspective_account_id) for e in events] == [
        ("onboarding_task.start", account_id, world.users["r1_admin"], None),
        ("onboarding_task.complete", account_id, world.users["r1_admin"], None),
    ]
    assert (events[0].before, events[0].after) == (
        {"kind": "Sign contract", "status": "Not started"},
        {"kind": "Sign contract", "status": "In progress"},
    )
    assert (events[1].before, events[1].after) == (
        {"kind": "Sign contract", "status": "In progress"},
        {"kind": "Sign contract", "status": "Done"},
    )


def test_status_1_complete_straight_from_not_started(session, world):
    """STATUS-1: Complete works on a task that was never started."""
    account_id = world.accounts["r2_cust1"]
    ids = _seed(session, account_id)
    complete_task(session=session, actor=world.actor("dist_admin"), task_id=ids[OnboardingTaskKind.ADD_PRODUCT])
    assert row(session, OnboardingTask, ids[OnboardingTaskKind.ADD_PRODUCT])["status"] == "Done"
    assert _onboarding_columns(session, account_id) == (1, 5, 200)


def test_status_2_completing_the_last_task_completes_onboarding(session, world):
    """STATUS-2: when the last task is done the customer's onboarding is complete (shown as ---)."""
    account_id = world.accounts["r1_cust1"]
    ids = _seed(session, account_id, [DONE, DONE, DONE, DONE, IP])
    assert _onboarding_columns(session, account_id) == (4, 5, 800)
    complete_task(session=session, actor=world.actor("r1_admin"), task_id=ids[OnboardingTaskKind.CONNECT_BILLING])
    assert _onboarding_columns(session, account_id) == (5, 5, summaries.COMPLETE)


def test_status_1_admin_in_a_perspective_changes_tasks_and_the_audit_says_so(session, world):
    """STATUS-1 / TENANT-1: a distributor admin in r1's perspective completes r1's customer's task."""
    account_id = world.accounts["r1_cust1"]
    ids = _seed(session, account_id)
    task_id = ids[OnboardingTaskKind.INVITE_ADMIN]
    complete_task(session=session, actor=world.actor("dist_admin", perspective="r1"), task_id=task_id)
    (event,) = _events(session, task_id)
    assert (event.actor_user_id, event.perspective_account_id) == (world.users["dist_admin"], world.accounts["r1"])


def test_status_1_repeating_a_change_is_harmless(session, world):
    """STATUS-1: starting a task in progress or completing a done one changes nothing and records nothing."""
    account_id = world.accounts["r1_cust2"]
    ids = _seed(session, account_id, [IP, DONE, NS, NS, NS])
    actor = world.actor("r1_admin")
    before = database_state(session, account_id), _task_rows(session)
    again = start_task(session=session, actor=actor, task_id=ids[OnboardingTaskKind.SIGN_CONTRACT])
    assert again.status == "In progress"
    assert complete_task(session=session, actor=actor, task_id=ids[OnboardingTaskKind.INVITE_ADMIN]).status == "Done"
    assert (database_state(session, account_id), _task_rows(session)) == before


def test_status_1_starting_a_done_task_is_refused_with_a_reason(session, world):
    """STATUS-1: a done task cannot go back to In progress; the message says why; nothing changes."""
    account_id = world.accounts["r1_cust2"]
    ids = _seed(session, account_id, [NS, DONE, NS, NS, NS])
    before = database_state(session, account_id), _task_rows(session)
    with pytest.raises(DomainError) as excinfo:
        start_task(session=session, actor=world.actor("r1_admin"), task_id=ids[OnboardingTaskKind.INVITE_ADMIN])
    assert str(excinfo.value) == "“Invite admin” is already done; it cannot be started again."
    assert (database_state(session, account_id), _task_rows(session)) == before


@pytest.mark.parametrize("change", [start_task, complete_task], ids=["start", "complete"])
@pytest.mark.parametrize(
    ("user", "perspective", "target", "refusal"),
    [
        ("r1_viewer", None, "r1_cust2", PermissionDenied),
        ("dist_viewer", None, "r2_cust1", PermissionDenied),
        ("tenant_admin", None, "r1_cust1", PermissionDenied),  # its own assigned customer
        ("tenant_admin", None, "r1_cust2", NotFound),
        ("r2_admin", None, "r1_cust2", NotFound),
        ("r1_admin", None, "r2_cust1", NotFound),
        ("r1_admin", None, "r1", PermissionDenied),  # its own reseller account
        ("r1_admin", "r1_cust2", "r1_cust2", PermissionDenied),  # the perspective's own account
        ("dist_admin", "r2", "r1_cust1", NotFound),
    ],
)
def test_status_1_auth_4_task_changes_refused(session, world, change, user, perspective, target, refusal):
    """STATUS-1 / AUTH-4: viewers, tenant admins and other tenants cannot change tasks; the database is unchanged."""
    account_id = world.accounts[target]
    ids = _seed(session, account_id)
    task_id = ids[OnboardingTaskKind.SIGN_CONTRACT]
    actor = world.actor(user, perspective=perspective)
    before = database_state(session, account_id), _task_rows(session)
    with pytest.raises(refusal) as excinfo:
        change(session=session, actor=actor, task_id=task_id)
    if refusal is NotFound:
        missing = _not_found(lambda: change(session=session, actor=actor, task_id=MISSING_ID))
        assert str(excinfo.value) == missing == "Onboarding task not found."
    assert (database_state(session, account_id), _task_rows(session)) == before
    assert _events(session, task_id) == []


def test_status_1_nonsense_task_id_is_not_found(session, world):
    """STATUS-1: an id the browser made up (not a number) is answered like a missing task."""
    assert _not_found(lambda: onboarding.start_task(session=session, actor=world.actor("dist_admin"), task_id="x")) == (
        "Onboarding task not found."
    )
