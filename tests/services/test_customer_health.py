"""The Health tab (HEALTH-1, HEALTH-2, HEALTH-3): backup jobs, data sources and alerts of one customer.

Each test seeds its own data sources, jobs and alerts on a customer of the
known world (rolled back afterwards) and checks the exact figures. "Now" is
fixed at NOW (noon UTC), so "today" is NOW's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from msc_app.models import Alert, AlertSeverity, BackupJob, DataSource, JobKind, JobStatus
from msc_app.services.customer_health import CountBy, JobRef, customer_health
from msc_app.services.errors import NotFound

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MISSING_ID = 999_999
BACKUP, RESTORE = JobKind.BACKUP, JobKind.RESTORE
OK, FAILED = JobStatus.SUCCESSFUL, JobStatus.FAILED


def at(day: int, hour: int = 22, minute: int = 0) -> datetime:
    """``day`` of May 2025 (or June for day > 31), UTC: at(31) is yesterday evening."""
    return datetime(2025, 5, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1)


def _source(session, account_id: int, name: str, *, organization: str = "Harbor", **extra) -> DataSource:
    source = DataSource(account_id=account_id, organization=organization, name=name, **extra)
    session.add(source)
    session.flush()
    return source


def _job(session, source: DataSource, number: int, started: datetime, kind=BACKUP, status=OK) -> BackupJob:
    job = BackupJob(
        data_source_id=source.id,
        account_id=source.account_id,
        job_number=number,
        kind=kind,
        status=status,
        started_at=started,
        finished_at=started + timedelta(minutes=20),
    )
    session.add(job)
    session.flush()
    return job


def _alert(session, account_id: int, alert_type: str, severity: AlertSeverity, *, resolved: bool = False) -> None:
    session.add(
        Alert(account_id=account_id, alert_type=alert_type, severity=severity, created_at=NOW, resolved=resolved)
    )
    session.flush()


def _read(session, world, account: str = "r1_cust2", user: str = "r1_admin", now: datetime = NOW):
    return customer_health(session=session, actor=world.actor(user), account_id=world.accounts[account], now=now)


@contextmanager
def counted_selects(engine: sa.Engine) -> Iterator[list[str]]:
    """The SELECT statements sent to the database inside the block (savepoints and BEGINs left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- HEALTH-1


def test_health_1_counts_jobs_started_in_the_last_30_days(session, world):
    """HEALTH-1: now - 30 days < started_at <= now; restores counted apart, whatever their status."""
    target = world.accounts["r1_cust2"]
    source = _source(session, target, "FS-01")
    other = _source(session, target, "SQL-01")
    _job(session, source, 1, NOW - timedelta(days=30))  # exactly 30 days ago: out
    _job(session, source, 2, NOW - timedelta(days=30) + timedelta(seconds=1))
    _job(session, source, 3, NOW - timedelta(days=5), status=FAILED)
    _job(session, other, 4, NOW)  # now itself: in
    _job(session, other, 5, NOW + timedelta(seconds=1))  # the future: out
    _job(session, source, 6, NOW - timedelta(days=3), kind=RESTORE)
    _job(session, other, 7, NOW - timedelta(days=4), kind=RESTORE, status=FAILED)
    _job(session, other, 8, NOW - timedelta(days=31), kind=RESTORE)
    elsewhere = _source(session, world.accounts["r1_cust1"], "FS-99")  # another customer's jobs
    _job(session, elsewhere, 9, NOW - timedelta(days=1))
    _job(session, elsewhere, 10, NOW - timedelta(days=1), kind=RESTORE)

    health = _read(session, world)

    assert (health.backup_jobs_30d, health.successful_30d, health.restores_30d) == (3, 2, 2)


def test_health_1_customer_without_data_sources(session, world):
    """HEALTH-1/2/3: nothing seeded: zeros and empty lists, not an error."""
    health = _read(session, world)

    assert (health.backup_jobs_30d, health.successful_30d, health.restores_30d) == (0, 0, 0)
    assert health.data_sources == ()
    assert (health.alerts_total, health.alerts_by_type, health.alerts_by_severity) == (0, (), ())


# ---------------------------------------------------------------- HEALTH-2


def test_health_2_failed_last_backup_shows_the_last_successful_one(session, world):
    """HEALTH-2: the last backup failed: its status, days ago and job ID, and the last successful backup's.

    Restores are not backups: a later successful restore is the last restore, not the
    last job, and a failed restore is never the last successful restore.
    """
    target = world.accounts["r1_cust2"]
    source = _source(
        session, target, "FS-01", workloads=["Files", "System state"], backup_policy="Daily at 22:00"
    )
    _job(session, source, 5040, at(29))
    _job(session, source, 5041, at(30))
    _job(session, source, 5044, at(31), status=FAILED)
    _job(session, source, 5030, at(20, 10), kind=RESTORE)
    _job(session, source, 5038, at(27, 11), kind=RESTORE, status=FAILED)
    _job(session, source, 5045, at(32, 9), kind=RESTORE)  # today, 09:00
    _job(session, source, 5046, at(32, 10), kind=RESTORE, status=FAILED)

    (row,) = _read(session, world).data_sources

    assert (row.id, row.organization, row.name) == (source.id, "Harbor", "FS-01")
    assert (row.workloads, row.backup_policy) == (("Files", "System state"), "Daily at 22:00")
    assert row.last_status == "Failed"
    assert row.last_job == JobRef(job_number=5044, at=at(31), days_ago=1)
    assert row.last_successful == JobRef(job_number=5041, at=at(30), days_ago=2)
    assert row.last_restore == JobRef(job_number=5045, at=at(32, 9), days_ago=0)


def test_health_2_successful_last_backup_hides_the_last_successful_column(session, world):
    """HEALTH-2: the last backup succeeded: "Last Successful Job Run" stays empty; no restore yet."""
    target = world.accounts["r1_cust2"]
    source = _source(session, target, "SQL-01")
    _job(session, source, 7001, at(20), status=FAILED)
    _job(session, source, 7002, at(30))
    _job(session, source, 7003, at(31, 2), status=FAILED)
    _job(session, source, 7004, at(31, 23))

    (row,) = _read(session, world).data_sources

    assert row.last_status == "Successful"
    assert row.last_job == JobRef(job_number=7004, at=at(31, 23), days_ago=1)
    assert row.last_successful is None
    assert row.last_restore is None


def test_health_2_failed_every_time_has_no_last_successful(session, world):
    """HEALTH-2: a source that never backed up successfully shows its failure and no successful run."""
    target = world.accounts["r1_cust2"]
    source = _source(session, target, "VM-01")
    _job(session, source, 10, at(1), status=FAILED)
    _job(session, source, 11, at(11), status=FAILED)

    (row,) = _read(session, world).data_sources

    assert (row.last_status, row.last_job, row.last_successful) == ("Failed", JobRef(11, at(11), 21), None)


def test_health_2_never_backed_up_and_restore_only_sources(session, world):
    """HEALTH-2: no backup job: no status and no last job; a restore alone is still the last restore."""
    target = world.accounts["r1_cust2"]
    empty = _source(session, target, "Alpha")
    restored = _source(session, target, "Beta")
    _job(session, restored, 300, at(15, 9), kind=RESTORE)

    rows = _read(session, world).data_sources

    assert [(r.id, r.last_status, r.last_job, r.last_successful, r.last_restore) for r in rows] == [
        (empty.id, None, None, None, None),
        (restored.id, None, None, None, JobRef(300, at(15, 9), 17)),
    ]


def test_health_2_jobs_started_at_the_same_moment_the_later_id_wins(session, world):
    """HEALTH-2: a tie on the start time is broken by the job's id (the one recorded last)."""
    target = world.accounts["r1_cust2"]
    failed_then_ok = _source(session, target, "Alpha")
    _job(session, failed_then_ok, 1, at(31), status=FAILED)
    _job(session, failed_then_ok, 2, at(31))
    ok_then_failed = _source(session, target, "Beta")
    _job(session, ok_then_failed, 3, at(31))
    _job(session, ok_then_failed, 4, at(31), status=FAILED)

    first, second = _read(session, world).data_sources

    assert (first.last_status, first.last_job.job_number, first.last_successful) == ("Successful", 2, None)
    assert (second.last_status, second.last_job.job_number, second.last_successful.job_number) == ("Failed", 4, 3)


def test_health_2_rows_ordered_by_organization_name_and_id(session, world):
    """HEALTH-2: one row per data source of this customer only, by organization, then name, then id."""
    target = world.accounts["r1_cust2"]
    c = _source(session, target, "Beta", organization="Harbor")
    a = _source(session, target, "Zulu", organization="Alpine")
    d = _source(session, target, "Beta", organization="Harbor")
    b = _source(session, target, "Alpha", organization="Harbor")
    _source(session, world.accounts["r1_cust1"], "Aardvark", organization="Aardvark")

    rows = _read(session, world).data_sources

    assert [r.id for r in rows] == [a.id, b.id, c.id, d.id]


def test_health_2_times_are_utc_and_days_ago_counts_utc_dates(session, world):
    """HEALTH-2: a job stored with another offset comes back in UTC; days ago compares UTC dates."""
    target = world.accounts["r1_cust2"]
    source = _source(session, target, "FS-01")
    plus_five = timezone(timedelta(hours=5))
    _job(session, source, 42, datetime(2025, 6, 1, 1, 30, tzinfo=plus_five))  # 2025-05-31 20:30 UTC

    (row,) = _read(session, world).data_sources
    late_evening = _read(session, world, now=datetime(2025, 6, 1, 2, 0, tzinfo=plus_five)).data_sources[0]

    assert row.last_job == JobRef(job_number=42, at=datetime(2025, 5, 31, 20, 30, tzinfo=UTC), days_ago=1)
    assert row.last_job.at.utcoffset() == timedelta(0)
    assert late_evening.last_job.days_ago == 0  # now is 2025-05-31 21:00 UTC


# ---------------------------------------------------------------- HEALTH-3


def test_health_3_open_alerts_by_type_and_severity(session, world):
    """HEALTH-3: resolved alerts are left out; types most first (ties by name); severities in order, only non-zero."""
    target = world.accounts["r1_cust2"]
    for _ in range(3):
        _alert(session, target, "Backup failed", AlertSeverity.HIGH)
    _alert(session, target, "Agent offline", AlertSeverity.LOW)
    _alert(session, target, "Agent offline", AlertSeverity.LOW)
    _alert(session, target, "Quota threshold", AlertSeverity.CRITICAL)
    _alert(session, target, "License expiring", AlertSeverity.LOW)
    _alert(session, target, "Backup failed", AlertSeverity.MEDIUM, resolved=True)
    _alert(session, target, "Backup failed", AlertSeverity.MEDIUM, resolved=True)
    _alert(session, world.accounts["r1_cust1"], "Backup failed", AlertSeverity.MEDIUM)  # another customer's

    health = _read(session, world)

    assert health.alerts_total == 7
    assert health.alerts_by_type == (
        CountBy("Backup failed", 3),
        CountBy("Agent offline", 2),
        CountBy("License expiring", 1),
        CountBy("Quota threshold", 1),
    )
    assert health.alerts_by_severity == (CountBy("Critical", 1), CountBy("High", 3), CountBy("Low", 3))


# ---------------------------------------------------------------- scope and cost


@pytest.mark.parametrize(
    ("user", "account"),
    [("r1_admin", "r2_cust1"), ("r2_admin", "r1_cust1"), ("tenant_admin", "r1_cust2"), ("r1_viewer", "dist_cust1")],
)
def test_health_1_auth_4_out_of_scope_customer_is_not_found(session, world, user, account):
    """HEALTH-1/2/3 / AUTH-4: another reseller's (or an unassigned) customer's health reads like a missing one."""
    _source(session, world.accounts[account], "FS-01")
    with pytest.raises(NotFound) as foreign:
        _read(session, world, account=account, user=user)
    with pytest.raises(NotFound) as missing:
        customer_health(session=session, actor=world.actor(user), account_id=MISSING_ID, now=NOW)
    assert str(foreign.value) == str(missing.value)


@pytest.mark.parametrize("user", ["tenant_admin", "r1_viewer", "dist_admin"])
def test_health_2_customers_in_scope_are_readable(session, world, user):
    """HEALTH-2: a tenant admin reads the customer it is assigned to; viewers and the distributor read too."""
    source = _source(session, world.accounts["r1_cust1"], "FS-01")
    _job(session, source, 77, at(31))

    health = _read(session, world, account="r1_cust1", user=user)

    assert [(s.name, s.last_job.job_number) for s in health.data_sources] == [("FS-01", 77)]


def test_health_2_query_count_does_not_grow_with_data_sources_or_jobs(session, world, database):
    """HEALTH-1/2/3: a fixed number of queries (SQL aggregates, no query per row), however many sources and jobs."""
    target = world.accounts["r1_cust2"]
    first = _source(session, target, "Source 00")
    _job(session, first, 1, at(31))
    _alert(session, target, "Backup failed", AlertSeverity.HIGH)
    with counted_selects(database.engine) as small:
        _read(session, world)

    number = 100
    for n in range(1, 13):
        source = _source(session, target, f"Source {n:02d}")
        for day in range(1, 32):
            number += 1
            _job(session, source, number, at(day), status=FAILED if day % 10 == 0 else OK)
        _job(session, source, number + 1000, at(12, 9), kind=RESTORE)
        _alert(session, target, f"Type {n % 4}", list(AlertSeverity)[n % 4])
    with counted_selects(database.engine) as large:
        health = _read(session, world)

    assert len(health.data_sources) == 13
    assert (health.backup_jobs_30d, health.restores_30d, health.alerts_total) == (1 + 12 * 30, 12, 13)
    assert len(large) == len(small) == 4  # scope, the 30 days' counts, the sources with their latest jobs, alerts
