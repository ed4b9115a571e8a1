"""The onboarding task list behind the customers list's Status column (STATUS-1).

State-agnostic and keyword-only: the caller passes the vars to show and the
event handlers for Start and Complete; the buttons appear only while
``can_change`` is true (the server refuses anyone else anyway).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

TASK_STATUS_COLORS = {"Done": "green", "In progress": "indigo", "Not started": "gray"}


def task_status_badge(status: rx.Var | str) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *TASK_STATUS_COLORS.items(), "gray"),
        variant="soft",
        size="1",
        white_space="nowrap",
    )


def _status_icon(status) -> rx.Component:
    return rx.match(
        status,
        ("Done", rx.icon("circle-check", size=18, color=rx.color("green", 9), aria_hidden="true")),
        ("In progress", rx.icon("loader-circle", size=18, color=rx.color("indigo", 9), aria_hidden="true")),
        rx.icon("circle", size=18, color=rx.color("gray", 8), aria_hidden="true"),
    )


def _task_row(task, *, can_change: Any, on_start: Any, on_complete: Any, busy: Any) -> rx.Component:
    disabled = busy if busy is not None else False
    actions = rx.hstack(
        rx.cond(
            task.status == "Not started",
            rx.button(
                "Start",
                size="1",
                variant="soft",
                on_click=on_start(task.id),
                disabled=disabled,
                aria_label=f"Start {task.kind}",
            ),
        ),
        rx.cond(
            task.status != "Done",
            rx.button(
                "Complete",
                size="1",
                variant="solid",
                on_click=on_complete(task.id),
                disabled=disabled,
                aria_label=f"Complete {task.kind}",
            ),
        ),
        spacing="2",
        justify="end",
        min_width="150px",
    )
    return rx.hstack(
        _status_icon(task.status),
        rx.vstack(
            rx.text(task.kind, size="2", weight="medium"),
            rx.cond(
                task.updated != "",
                rx.text(f"Updated {task.updated}", size="1", color=rx.color("gray", 10)),
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        task_status_badge(task.status),
        rx.cond(can_change, actions),
        align="center",
        spacing="3",
        width="100%",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        key=task.id,
        data_testid="onboarding-task",
    )


def task_list_dialog(
    *,
    customer_name: rx.Var | str,
    tasks: rx.Var,
    done: rx.Var,
    total: rx.Var,
    can_change: rx.Var | bool,
    on_start: Any,
    on_complete: Any,
    trigger: rx.Component | None = None,
    open: rx.Var | None = None,
    on_open_change: Any = None,
    loading: rx.Var | None = None,
    error: rx.Var | None = None,
    busy: rx.Var | None = None,
) -> rx.Component:
    """STATUS-1: "Onboarding: <customer>" with done/total and each task's status.

    ``tasks``: a list var of objects with ``id``, ``kind``, ``status`` and
    ``updated`` (``state.onboarding.TaskItem``). ``on_start`` / ``on_complete``: event handlers
    called with the task id; Start shows for Not started tasks, Complete for
    Not started and In progress ones, both only while ``can_change`` is true.
    ``trigger`` (e.g. the status ring in a button) opens the dialog; or control
    it with ``open`` and ``on_open_change``. ``loading`` / ``error`` / ``busy``
    (optional vars): a spinner instead of the list, a message above it, and
    disabled buttons while a change is saving.
    """
    percent = rx.cond(total > 0, (done * 100 / total).to(int), 100)
    body = rx.vstack(
        rx.foreach(
            tasks,
            lambda task: _task_row(task, can_change=can_change, on_start=on_start, on_complete=on_complete, busy=busy),
        ),
        rx.cond(tasks.length() == 0, rx.text("No onboarding tasks.", size="2", color=rx.color("gray", 11))),
        spacing="0",
        width="100%",
    )
    if loading is not None:
        body = rx.cond(loading, rx.center(rx.spinner(size="3"), padding="24px", aria_label="Loading tasks"), body)
    message = (
        rx.cond(
            error != "",
            rx.callout(error, icon="triangle_alert", color_scheme="red", size="1", role="alert", width="100%"),
        )
        if error is not None
        else rx.fragment()
    )
    root_props: dict[str, Any] = {}
    if open is not None:
        root_props["open"] = open
    if on_open_change is not None:
        root_props["on_open_change"] = on_open_change
    children = [rx.dialog.trigger(trigger)] if trigger is not None else []
    return rx.dialog.root(
        *children,
        rx.dialog.content(
            rx.dialog.title(f"Onboarding: {customer_name}"),
            rx.dialog.description(f"{done} of {total} tasks done", color=rx.color("gray", 11)),
            rx.progress(
                value=percent,
                max=100,
                color_scheme="indigo",
                aria_label="Onboarding progress",
                margin_top="8px",
            ),
            rx.vstack(
                message,
                body,
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                    padding_top="8px",
                ),
                spacing="3",
                width="100%",
                padding_top="12px",
            ),
            max_width="560px",
            data_testid="onboarding-dialog",
        ),
        **root_props,
    )
