"""A customer's backup health, for the details page's Health tab (HEALTH-1, HEALTH-2, HEALTH-3).

- HEALTH-1: backup jobs started in the last 30 days (``now - 30 days <
  started_at <= now``), how many of them succeeded, and the restore jobs
  started in the same 30 days (any status).
- HEALTH-2: one row per data source (backup set) with its latest backup job
  (any status: its status, when, which job), its latest successful backup job
  only when that latest backup failed (the operator wants to know how long the
  set has been unprotected), and its latest successful restore job. "Latest"
  is by start time, then by id for jobs that started at the same moment.
- HEALTH-3: the customer's open (unresolved) alerts, counted by type and by
  severity.

Scope: ``Action.VIEW`` on the customer; outside the actor's scope it is
``NotFound``, exactly like a missing customer (AUTH-4).

Cost: four queries whatever the number of data sources and jobs (the scope
check; one aggregate over the 30 days through ``ix_backup_job_account_started``;
the data sources with their three latest jobs, found by correlated
``ORDER BY started_at DESC, id DESC LIMIT 1`` subqueries that each seek
``ix_backup_job_source_kind_status``; one GROUP BY over the open alerts), so
the tab costs the same for a customer with years of history as for a new one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from msc_app.models import Alert, AlertSeverity, BackupJob, DataSource, JobKind, JobStatus
from msc_app.services.permissions import Action, Actor, require

WINDOW = timedelta(days=30)  # HEALTH-1's "last 30 days"


@dataclass(frozen=True)
class JobRef:
    job_number: int
    at: datetime  # the job's started_at, timezone-aware UTC
    days_ago: int  # (today - at.date()).days, today in UTC


@dataclass(frozen=True)
class DataSourceHealth:
    id: int
    organization: str
    name: str
    workloads: tuple[str, ...]
    backup_policy: str
    last_status: str | None  # JobStatus of the latest backup job, None if never backed up
    last_job: JobRef | None  # latest backup job (any status)
    last_successful: JobRef | None  # latest successful backup, only when the latest backup failed
    last_restore: JobRef | None  # latest successful restore job


@dataclass(frozen=True)
class CountBy:
    label: str
    count: int


@dataclass(frozen=True)
class CustomerHealth:
    backup_jobs_30d: int  # backup jobs started in the last 30 days
    successful_30d: int  # of those, successful
    restores_30d: int  # restore jobs started in the last 30 days (any status)
    data_sources: tuple[DataSourceHealth, ...]  # by organization, name, id
    alerts_total: int  # open alerts
    alerts_by_type: tuple[CountBy, ...]  # most first, then by label
    alerts_by_severity: tuple[CountBy, ...]  # Critical, High, Medium, Low; only non-zero


def customer_health(*, session: Session, actor: Actor, account_id: int, now: datetime | None = None) -> CustomerHealth:
    """The Health tab's figures for customer ``account_id`` (HEALTH-1/2/3), or ``NotFound``."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    now = as_utc(now or datetime.now(UTC))
    backups, successful, restores = _job_counts(session, account_id, now)
    by_type, by_severity = _open_alerts(session, account_id)
    return CustomerHealth(
        backup_jobs_30d=backups,
        successful_30d=successful,
        restores_30d=restores,
        data_sources=_data_sources(session, account_id, now.date()),
        alerts_total=sum(c.count for c in by_severity),
        alerts_by_type=by_type,
        alerts_by_severity=by_severity,
    )


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime; a naive one (as SQLite may return) is taken to be UTC already."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# ---------------------------------------------------------------- HEALTH-1


def _job_counts(session: Session, account_id: int, now: datetime) -> tuple[int, int, int]:
    """(backup jobs, successful backup jobs, restore jobs) started in the 30 days up to ``now``."""

    def count_where(*conditions) -> sa.ColumnElement:
        return func.coalesce(func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    is_backup = BackupJob.kind == JobKind.BACKUP.value
    backups, successful, restores = session.exec(
        select(
            count_where(is_backup),
            count_where(is_backup, BackupJob.status == JobStatus.SUCCESSFUL.value),
            count_where(BackupJob.kind == JobKind.RESTORE.value),
        ).where(
            BackupJob.account_id == account_id,
            BackupJob.started_at > now - WINDOW,
            BackupJob.started_at <= now,
        )
    ).one()
    return int(backups), int(successful), int(restores)


# ---------------------------------------------------------------- HEALTH-2


def _latest_job_id(kind: JobKind, status: JobStatus) -> sa.ScalarSelect:
    """The id of a data source's latest job of ``kind`` and ``status`` (an index seek per data source)."""
    job = aliased(BackupJob)
    return (
        select(job.id)
        .where(job.data_source_id == DataSource.id, job.kind == kind.value, job.status == status.value)
        .order_by(job.started_at.desc(), job.id.desc())
        .limit(1)
        .correlate(DataSource)
        .scalar_subquery()
    )


def _data_sources(session: Session, account_id: int, today: date) -> tuple[DataSourceHealth, ...]:
    """Every data source of the customer with its latest jobs, in one query."""
    rows = session.exec(_data_sources_statement(), params={"account_id": account_id}).all()
    return tuple(_source_health(row, today) for row in rows)


@cache
def _data_sources_statement() -> sa.Select:
    """The data sources of ``:account_id``, each with the id, number and start time of its latest jobs.

    Three latest jobs per source: successful backup, failed backup (the latest
    backup is the later of the two) and successful restore. Each is one
    descending seek of ``ix_backup_job_source_kind_status``. Built once:
    composing the aliases costs more than running the query.
    """
    sources = (
        select(
            DataSource.id,
            DataSource.organization,
            DataSource.name,
            DataSource.workloads,
            DataSource.backup_policy,
            _latest_job_id(JobKind.BACKUP, JobStatus.SUCCESSFUL).label("ok_id"),
            _latest_job_id(JobKind.BACKUP, JobStatus.FAILED).label("failed_id"),
            _latest_job_id(JobKind.RESTORE, JobStatus.SUCCESSFUL).label("restore_id"),
        )
        .where(DataSource.account_id == sa.bindparam("account_id"))
        .subquery("sources")
    )
    jobs = {name: aliased(BackupJob, name=name) for name in ("ok", "failed", "restore")}
    stmt = select(
        sources.c.id,
        sources.c.organization,
        sources.c.name,
        sources.c.workloads,
        sources.c.backup_policy,
        # The joined jobs' own ids, not the subqueries' columns, which PostgreSQL would evaluate again.
        *(
            column.label(f"{name}_{field}")
            for name, job in jobs.items()
            for field, column in (("id", job.id), ("number", job.job_number), ("at", job.started_at))
        ),
    )
    for name, job in jobs.items():
        stmt = stmt.outerjoin(job, job.id == sources.c[f"{name}_id"])
    return stmt.order_by(sources.c.organization, sources.c.name, sources.c.id)


def _source_health(row: sa.Row, today: date) -> DataSourceHealth:
    values = row._mapping
    ok, failed, restore = (
        _job_ref(values[f"{name}_id"], values[f"{name}_number"], values[f"{name}_at"], today)
        for name in ("ok", "failed", "restore")
    )
    failed_last = failed is not None and (
        ok is None or (failed.at, values["failed_id"]) > (ok.at, values["ok_id"])
    )
    last_job = failed if failed_last else ok
    return DataSourceHealth(
        id=values["id"],
        organization=values["organization"],
        name=values["name"],
        workloads=tuple(values["workloads"] or ()),
        backup_policy=values["backup_policy"],
        last_status=None if last_job is None else (JobStatus.FAILED if failed_last else JobStatus.SUCCESSFUL).value,
        last_job=last_job,
        last_successful=ok if failed_last else None,
        last_restore=restore,
    )


def _job_ref(job_id: int | None, job_number: int | None, started_at: datetime | None, today: date) -> JobRef | None:
    if job_id is None or started_at is None:
        return None
    at = as_utc(started_at)
    return JobRef(job_number=job_number, at=at, days_ago=(today - at.date()).days)


# ---------------------------------------------------------------- HEALTH-3


def _open_alerts(session: Session, account_id: int) -> tuple[tuple[CountBy, ...], tuple[CountBy, ...]]:
    """Open alerts counted by (type, severity) in SQL, then folded into the two breakdowns."""
    rows = session.exec(
        select(Alert.alert_type, Alert.severity, func.count())
        .where(Alert.account_id == account_id, Alert.resolved == sa.false())
        .group_by(Alert.alert_type, Alert.severity)
    ).all()
    by_type: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for alert_type, severity, count in rows:
        by_type[alert_type] += count
        by_severity[severity] += count
    severities = [s.value for s in AlertSeverity]
    severities += sorted(set(by_severity) - set(severities))  # an unknown severity still counts, last
    return (
        tuple(CountBy(label, count) for label, count in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple(CountBy(label, by_severity[label]) for label in severities if by_severity[label]),
    )
