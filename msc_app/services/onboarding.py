"""A customer's onboarding tasks: the task list behind the Status column (STATUS-1/2).

Reading is scoped like everything else: the tasks of an account outside the
actor's scope are "not found", as for a missing account. Starting and
completing a task is ``Action.EDIT_CUSTOMER`` on the task's account, so a
distributor or reseller admin changes the tasks of the accounts below it;
viewers and tenant admins are refused (``PermissionDenied``), and a task
outside scope is ``NotFound("Onboarding task")``, exactly like a missing id.

Like every change service (``products``, ``customer_changes``) the functions
work in the caller's transaction and never commit: the task, the account's
denormalised onboarding columns (``summaries.refresh_onboarding``) and the
audit event commit or roll back together. Nothing is written when a change is
refused.

Transitions: Not started -> In progress (start), Not started or In progress ->
Done (complete). Repeating a change that is already made (starting a task in
progress, completing a done task) is a harmless no-op, so a double click does
no harm; going backwards (starting a done task) is a ``DomainError``.

The audit event (``onboarding_task.start`` / ``onboarding_task.complete``)
records the status before and after, and the task's kind on both sides so the
Activity section can say which task it was.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, select

from msc_app.models import Account, OnboardingTask, OnboardingTaskKind, TaskStatus
from msc_app.models.base import utcnow
from msc_app.services import audit, summaries
from msc_app.services.errors import DomainError, NotFound
from msc_app.services.permissions import Action, Actor, in_id_range, require

_KIND_ORDER = {k.value: i for i, k in enumerate(OnboardingTaskKind)}


class TaskRead(BaseModel):
    """One onboarding task of a customer."""

    id: int
    account_id: int
    kind: str
    status: str
    updated_at: datetime


def _read(task: OnboardingTask) -> TaskRead:
    return TaskRead(
        id=task.id,
        account_id=task.account_id,
        kind=task.kind,
        status=task.status,
        updated_at=task.updated_at,
    )


def list_tasks(*, session: Session, actor: Actor, account_id: int) -> list[TaskRead]:
    """The account's tasks in OnboardingTaskKind order; NotFound("Customer") outside scope."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    tasks = session.exec(select(OnboardingTask).where(OnboardingTask.account_id == account_id)).all()
    ordered = sorted(tasks, key=lambda t: (_KIND_ORDER.get(t.kind, len(_KIND_ORDER)), t.kind, t.id))
    return [_read(t) for t in ordered]


def _task_for_change(session: Session, actor: Actor, task_id) -> tuple[OnboardingTask, Account]:
    """The task and its account, if the actor may change it.

    NotFound("Onboarding task") for a missing id or one outside scope (the same
    answer); PermissionDenied when the actor sees the account but may not edit it.
    """
    try:
        task_id = int(task_id)
        task = session.get(OnboardingTask, task_id) if in_id_range(task_id) else None
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise NotFound("Onboarding task")
    try:
        account = require(session=session, actor=actor, action=Action.EDIT_CUSTOMER, account_id=task.account_id)
    except NotFound:
        raise NotFound("Onboarding task") from None
    return task, account


def _change(session: Session, actor: Actor, task: OnboardingTask, account: Account, status: TaskStatus, verb: str) -> None:
    before = task.status
    task.status = status
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    summaries.refresh_onboarding(session=session, account_id=account.id)
    audit.record(
        session=session,
        actor=actor,
        action=f"onboarding_task.{verb}",
        entity_type="onboarding_task",
        entity_id=task.id,
        account_id=account.id,
        before={"kind": task.kind, "status": before},
        after={"kind": task.kind, "status": task.status},
    )
    session.flush()


def start_task(*, session: Session, actor: Actor, task_id: int) -> TaskRead:
    """STATUS-1: Not started -> In progress. Already in progress: nothing changes."""
    task, account = _task_for_change(session, actor, task_id)
    if task.status == TaskStatus.DONE:
        raise DomainError(f"“{task.kind}” is already done; it cannot be started again.")
    if task.status == TaskStatus.NOT_STARTED:
        _change(session, actor, task, account, TaskStatus.IN_PROGRESS, "start")
    return _read(task)


def complete_task(*, session: Session, actor: Actor, task_id: int) -> TaskRead:
    """STATUS-1: Not started or In progress -> Done. Already done: nothing changes."""
    task, account = _task_for_change(session, actor, task_id)
    if task.status != TaskStatus.DONE:
        _change(session, actor, task, account, TaskStatus.DONE, "complete")
    return _read(task)
