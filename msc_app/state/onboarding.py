"""The onboarding task list opened from the Status column (STATUS-1): read, start, complete."""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import onboarding
from msc_app.services.customer_details import get_customer
from msc_app.services.errors import DomainError
from msc_app.state.customers import CustomersState
from msc_app.state.session import SessionState, guarded


@dataclasses.dataclass
class TaskItem:
    id: int = 0
    kind: str = ""
    status: str = ""
    updated: str = ""  # when the status last changed


def _item(task: onboarding.TaskRead) -> TaskItem:
    return TaskItem(
        id=task.id,
        kind=task.kind,
        status=task.status,
        updated=task.updated_at.strftime("%b %d, %Y") if task.updated_at else "",
    )


class OnboardingState(SessionState):
    open: bool = False
    customer_name: str = ""
    tasks: list[TaskItem] = []
    can_change: bool = False
    error: str = ""
    busy: bool = False
    _account_id: int = 0

    @rx.var
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.status == "Done")

    @rx.var
    def total(self) -> int:
        return len(self.tasks)

    def _read(self, actor, account_id: int) -> None:
        with session_scope() as session:
            detail = get_customer(session=session, actor=actor, account_id=account_id)
            tasks = onboarding.list_tasks(session=session, actor=actor, account_id=detail.id)
        self._account_id = detail.id
        self.customer_name = detail.display_name
        self.can_change = detail.can_edit
        self.tasks = [_item(t) for t in tasks]

    @rx.event
    @guarded
    def open_for(self, account_id: int):
        self.error = ""
        try:
            self._read(self._signed_actor(), int(account_id))
        except (DomainError, TypeError, ValueError) as exc:
            self.open = False
            return rx.toast.error(getattr(exc, "message", "Customer not found."))
        self.open = True

    @rx.event
    def set_open(self, value: bool):
        self.open = value

    def _change(self, change, task_id):
        actor = self._signed_actor()
        self.error = ""
        try:
            with session_scope() as session:
                change(session=session, actor=actor, task_id=int(task_id))
            self._read(actor, self._account_id)
        except (DomainError, TypeError, ValueError) as exc:
            self.error = getattr(exc, "message", "Task not found.")
            return None
        # The row's progress ring follows.
        return CustomersState.reload

    @rx.event
    @guarded
    def start(self, task_id: int):
        return self._change(onboarding.start_task, task_id)

    @rx.event
    @guarded
    def complete(self, task_id: int):
        return self._change(onboarding.complete_task, task_id)
