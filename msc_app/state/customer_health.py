"""The Health tab of /customers/<id>: backup jobs, data sources and alerts (HEALTH-1/2/3).

The figures come from ``services/customer_health`` (SQL aggregates, a fixed
number of queries); this state only formats them for the page.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services.customer_health import CustomerHealth, JobRef, customer_health
from msc_app.services.errors import NotFound
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.session import guarded

SEVERITY_COLORS = {"Critical": "red", "High": "orange", "Medium": "amber", "Low": "gray"}


def days_ago(days: int) -> str:
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def job_text(job: JobRef | None) -> str:
    """'3 days ago (5046)': when, and the job ID in parentheses (HEALTH-2)."""
    return f"{days_ago(job.days_ago)} ({job.job_number})" if job else ""


@dataclasses.dataclass
class SourceRow:
    id: int
    organization: str
    name: str
    workloads: str
    policy: str
    status: str  # "Successful", "Failed" or "" (never backed up)
    status_when: str  # "1 day ago (5044)"
    last_run: str  # "Nov 22, 2026 02:00 UTC"
    last_successful: str  # only when the last backup failed
    last_restore: str


@dataclasses.dataclass
class CountRow:
    label: str
    count: int
    color: str = "gray"
    percent: int = 0  # of the largest count, for the bar behind it


def source_row(source) -> SourceRow:
    return SourceRow(
        id=source.id,
        organization=source.organization,
        name=source.name,
        workloads=", ".join(source.workloads),
        policy=source.backup_policy,
        status=source.last_status or "",
        status_when=job_text(source.last_job),
        last_run=source.last_job.at.strftime("%b %d, %Y %H:%M UTC") if source.last_job else "",
        last_successful=job_text(source.last_successful),
        last_restore=job_text(source.last_restore),
    )


def count_rows(counts, *, colors: dict[str, str] | None = None) -> list[CountRow]:
    top = max((c.count for c in counts), default=0) or 1
    return [
        CountRow(
            label=c.label,
            count=c.count,
            color=(colors or {}).get(c.label, "indigo"),
            percent=round(100 * c.count / top),
        )
        for c in counts
    ]


class HealthState(CustomerDetailState):
    health_loaded: bool = False
    backup_jobs: int = 0
    successful: int = 0
    success_rate: str = ""
    restores: int = 0
    sources: list[SourceRow] = []
    alerts_total: int = 0
    alerts_by_type: list[CountRow] = []
    alerts_by_severity: list[CountRow] = []

    def _show(self, health: CustomerHealth) -> None:
        self.backup_jobs = health.backup_jobs_30d
        self.successful = health.successful_30d
        self.success_rate = (
            f"{100 * health.successful_30d / health.backup_jobs_30d:.0f}% of jobs" if health.backup_jobs_30d else ""
        )
        self.restores = health.restores_30d
        self.sources = [source_row(s) for s in health.data_sources]
        self.alerts_total = health.alerts_total
        self.alerts_by_type = count_rows(health.alerts_by_type)
        self.alerts_by_severity = count_rows(health.alerts_by_severity, colors=SEVERITY_COLORS)

    @rx.event
    @guarded
    def load_section(self) -> None:
        self.health_loaded = False
        try:
            with session_scope() as session:
                health = customer_health(session=session, actor=self._signed_actor(), account_id=self._customer_id())
        except NotFound:
            self.sources, self.alerts_by_type, self.alerts_by_severity = [], [], []
            return
        self._show(health)
        self.health_loaded = True
