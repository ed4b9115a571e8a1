"""Benchmark the customers list (LIST-1, LIST-5, LIST-6, LIST-7; SPEC section 8: "with
100,000 customers the list stays as fast as with 100").

    .venv/bin/python bench/list_query.py --customers 100000                 # temp SQLite file
    .venv/bin/python bench/list_query.py --customers 100000 --reuse         # keep that file
    .venv/bin/python bench/list_query.py --database-url postgresql://postgres@127.0.0.1:5432/test

Loads the demo data (DEMO-1) unless ``--reuse`` finds it already there (it
never deletes anything from a database given by URL; it refuses one that holds
other data), migrates to the head revision, then times
``services.customers.list_customers`` (and the filter panel's
``filter_options``) for the cases below: a warm-up, then ``--repeat`` runs
each (a fresh session per run, as a request has), and prints p50 / p95 / max
in milliseconds and the queries a run costs. Then it exports every customer
to CSV (``services.customer_export.iter_csv``, all columns), timing it, and
measuring the peak of Python's allocations (tracemalloc, a second run) and
the process's peak RSS. ``--explain`` prints the database's plan for the
statements each case runs; ``--only TEXT`` runs the cases whose name holds TEXT.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from msc_app.db import get_engine  # noqa: E402
from msc_app.demo import has_users  # noqa: E402
from msc_app.migrations import upgrade_to_head  # noqa: E402
from msc_app.models import (  # noqa: E402
    Account,
    AccountKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    TenantType,
    User,
)
from msc_app.services.customer_export import iter_csv  # noqa: E402
from msc_app.services.customers import ListQuery, SortKey, list_customers  # noqa: E402
from msc_app.services.demo import ADMIN_EMAIL, generate  # noqa: E402
from msc_app.services.list_filters import filter_options  # noqa: E402
from msc_app.services.permissions import Actor  # noqa: E402

SLOW_MS = 50.0


@dataclass(frozen=True)
class Case:
    name: str
    actor: Actor
    query: ListQuery | None  # None: the filter panel's choices (filter_options)

    def run(self, session: Session) -> int:
        """One request's work; returns the matches (or the number of plan choices)."""
        if self.query is None:
            return len(filter_options(session=session, actor=self.actor).service_plans)
        return list_customers(session=session, actor=self.actor, query=self.query).total


def actor_for(user: User, home: Account) -> Actor:
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        home_account_id=home.id,
        home_kind=AccountKind(home.kind),
        name=user.name,
        email=user.email,
    )


def load_actors(session: Session) -> tuple[Actor, Actor, Actor]:
    """The distributor admin, the first reseller's admin and a tenant admin of the demo data."""
    admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
    reseller_admin, reseller = session.exec(
        select(User, Account)
        .join(Account, Account.id == User.account_id)
        .where(User.role == Role.ADMIN, Account.kind == AccountKind.RESELLER)
        .where(User.password_hash.is_not(None))
        .order_by(User.id)
    ).first()
    tenant_admin = session.exec(
        select(User).where(User.role == Role.TENANT_ADMIN).order_by(User.id)
    ).first()
    return (
        actor_for(admin, session.get(Account, admin.account_id)),
        actor_for(reseller_admin, reseller),
        actor_for(tenant_admin, session.get(Account, tenant_admin.account_id)),
    )


def build_cases(engine: sa.Engine) -> list[Case]:
    with Session(engine) as session:
        distributor, reseller, tenant_admin = load_actors(session)
        first = list_customers(session=session, actor=distributor, query=ListQuery())
        mine = list_customers(session=session, actor=reseller, query=ListQuery())
        plan_id = session.exec(
            select(ServicePlan.id).where(ServicePlan.name == "Enterprise Hybrid Protect")
        ).first()
        admin_id = session.exec(select(TenantAdminAssignment.user_id).limit(1)).first()
        # A page inside the biggest reseller's customers: it starts with that reseller as context.
        biggest = session.exec(
            select(Account.parent_id, func.count())
            .where(Account.kind == AccountKind.CUSTOMER, Account.parent_id != distributor.account_id)
            .group_by(Account.parent_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        inside = _page_inside(session, distributor, biggest[0]) if biggest else 2
    last, middle = first.page_count, max(1, first.page_count // 2)
    m365 = (ProductType.MICROSOFT_365.value,)
    return [
        Case("distributor, first page, by name", distributor, ListQuery()),
        Case("distributor, first page, by name desc", distributor, ListQuery(descending=True)),
        Case("distributor, search 'ab'", distributor, ListQuery(search="ab")),
        Case("distributor, search 'ab', page 3", distributor, ListQuery(search="ab", page=3)),
        # 3+ characters: answered from the trigram index (FTS5 / pg_trgm), issue 14.
        Case("distributor, search 'tech'", distributor, ListQuery(search="tech")),
        Case("distributor, search 'health', page 3", distributor, ListQuery(search="health", page=3)),
        Case(
            "distributor, by service plan desc",
            distributor,
            ListQuery(sort=SortKey.SERVICE_PLAN, descending=True),
        ),
        Case(
            "distributor, by consumption desc",
            distributor,
            ListQuery(sort=SortKey.CONSUMPTION, descending=True),
        ),
        Case(
            "distributor, by source data desc",
            distributor,
            ListQuery(sort=SortKey.SOURCE_DATA, descending=True),
        ),
        Case("distributor, by status (onboarding)", distributor, ListQuery(sort=SortKey.STATUS)),
        Case("distributor, by quota end date", distributor, ListQuery(sort=SortKey.QUOTA_END)),
        Case(
            "distributor, by licence expiry desc, p.40",
            distributor,
            ListQuery(sort=SortKey.LICENSE_EXPIRY, descending=True, page=40),
        ),
        Case("distributor, by created, page 100", distributor, ListQuery(sort=SortKey.CREATED, page=100)),
        Case(f"distributor, middle page ({middle})", distributor, ListQuery(page=middle)),
        Case(f"distributor, last page ({last})", distributor, ListQuery(page=last)),
        Case(
            f"distributor, inside a reseller (p.{inside})",
            distributor,
            ListQuery(page=inside),
        ),
        Case("filter: product Microsoft 365", distributor, ListQuery(products=m365)),
        Case(
            "filter: product M365, page 50",
            distributor,
            ListQuery(products=m365, page=50),
        ),
        Case("filter: service plan", distributor, ListQuery(service_plans=(plan_id,))),
        Case("filter: region EU Frankfurt", distributor, ListQuery(storage_regions=("EU Frankfurt",))),
        Case(
            "filter: tenant type NFR",
            distributor,
            ListQuery(tenant_types=(TenantType.NFR.value,)),
        ),
        Case("filter: tenant admin", distributor, ListQuery(tenant_admins=(admin_id,))),
        Case("filter: status in progress", distributor, ListQuery(status="in_progress")),
        Case("filter: status complete", distributor, ListQuery(status="complete")),
        Case("filter: source data Failed", distributor, ListQuery(source_data=("Failed",))),
        Case(
            "filter: M365 + EU Frankfurt + Failed",
            distributor,
            ListQuery(products=m365, storage_regions=("EU Frankfurt",), source_data=("Failed",)),
        ),
        Case(
            "filter: M365 + search 'ab', by expiry",
            distributor,
            ListQuery(products=m365, search="ab", sort=SortKey.LICENSE_EXPIRY),
        ),
        Case("reseller admin, first page", reseller, ListQuery()),
        Case(
            f"reseller admin, last page ({mine.page_count})",
            reseller,
            ListQuery(page=mine.page_count, sort=SortKey.QUOTA_END, descending=True),
        ),
        Case("reseller admin, filter M365", reseller, ListQuery(products=m365)),
        Case("reseller admin, search 'ab'", reseller, ListQuery(search="ab")),
        Case("tenant admin, first page", tenant_admin, ListQuery()),
        Case("filter panel choices, distributor", distributor, None),
        Case("filter panel choices, reseller", reseller, None),
    ]


def _page_inside(session: Session, distributor: Actor, reseller_id: int) -> int:
    """The page (25 rows, by name) in the middle of ``reseller_id``'s customers (LIST-6: it starts with
    the reseller as a context row)."""
    reseller = session.get(Account, reseller_id)
    before = sa.tuple_(Account.name_sort, Account.id) < sa.tuple_(reseller.name_sort, reseller.id)
    top_before = session.exec(
        select(func.count()).where(Account.parent_id == distributor.account_id, before)
    ).one()
    groups_before = select(Account.id).where(Account.kind == AccountKind.RESELLER, before)
    nested_before = session.exec(
        select(func.count()).where(Account.parent_id.in_(groups_before))
    ).one()
    children = session.exec(select(func.count()).where(Account.parent_id == reseller_id)).one()
    middle = top_before + nested_before + 1 + children // 2
    return middle // 25 + 1


def time_case(engine: sa.Engine, case: Case, *, repeat: int, warmup: int = 3) -> dict:
    def once() -> tuple[float, int]:
        began = time.perf_counter()
        with Session(engine) as session:
            total = case.run(session)
        return (time.perf_counter() - began) * 1000, total

    for _ in range(warmup):
        once()
    samples, total = [], 0
    for _ in range(repeat):
        ms, total = once()
        samples.append(ms)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    queries = len(captured_statements(engine, lambda: once()))
    return {
        "p50": statistics.median(samples),
        "p95": cuts[94],
        "max": max(samples),
        "total": total,
        "queries": queries,
    }


def captured_statements(engine: sa.Engine, run: Callable[[], object]) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return statements


def explain(engine: sa.Engine, case: Case) -> None:
    def run():
        with Session(engine) as session:
            case.run(session)

    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    print(f"\n--- {case.name}")
    for statement, parameters in captured_statements(engine, run):
        print(statement.strip().splitlines()[0][:100], "...")
        with engine.connect() as conn:
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                print("    ", " | ".join(str(v) for v in row))


def bench_export(engine: sa.Engine, actor: Actor) -> None:
    """LIST-7: every customer to CSV, all columns: time, then (a second run) peak allocations and RSS."""

    def export() -> tuple[int, int]:
        rows, size = [0], 0
        with Session(engine) as session:
            for chunk in iter_csv(
                session=session,
                actor=actor,
                query=ListQuery(),
                progress=lambda n: rows.__setitem__(0, n),
            ):
                size += len(chunk)
        return rows[0], size

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    rows, size = export()
    seconds = time.perf_counter() - began
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    export()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\nExport to CSV, distributor, all columns: {rows:,} rows, {size / 1e6:.1f} MB in "
        f"{seconds:.2f}s ({rows / seconds:,.0f} rows/s); peak Python allocations {peak / 1e6:.1f} MB "
        f"(tracemalloc); process peak RSS {rss_after / 1024:.0f} MB "
        f"(+{(rss_after - rss_before) / 1024:.0f} MB during the export)",
        flush=True,
    )


def row_counts(engine: sa.Engine) -> str:
    with Session(engine) as session:
        kinds = dict(session.exec(select(Account.kind, func.count()).group_by(Account.kind)).all())
        products = session.exec(select(func.count()).select_from(Product)).one()
        users = session.exec(select(func.count()).select_from(User)).one()
    parts = [f"{kinds.get(k.value, 0):,} {k.value}s" for k in AccountKind]
    return ", ".join([*parts, f"{products:,} products", f"{users:,} users"])


def prepare(url: str, *, customers: int, reuse: bool, default_db: Path | None) -> sa.Engine:
    if default_db is not None and not reuse:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{default_db}{suffix}").unlink(missing_ok=True)
    upgrade_to_head(url)
    engine = get_engine(url)
    if has_users(engine):
        if not reuse:
            raise SystemExit(
                f"{url} already holds data: pass --reuse to benchmark it as it is, "
                "or point --database-url at an empty database."
            )
        print("Reusing the data already in the database.")
        return engine
    print(f"Generating the demo with {customers:,} customers ...", flush=True)
    summary = generate(engine=engine, customers=customers)
    print(f"Generated in {summary.seconds:.1f}s.")
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file under /tmp")
    parser.add_argument("--reuse", action="store_true", help="use the data already there")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per case (>= 50)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--only", default="", help="run only the cases whose name holds this text")
    parser.add_argument("--no-export", action="store_true", help="skip the CSV export")
    args = parser.parse_args(argv)

    default_db = None
    url = args.database_url
    if url is None:
        default_db = Path(f"/tmp/msc-bench-{args.customers}.db")
        url = f"sqlite:///{default_db}"
    engine = prepare(url, customers=args.customers, reuse=args.reuse, default_db=default_db)

    version = ".".join(map(str, engine.dialect.server_version_info or ()))
    print(f"Backend: {engine.dialect.name} {version}")
    print(f"Database: {engine.url.render_as_string(hide_password=True)}")
    print(f"Rows: {row_counts(engine)}")
    cases = [c for c in build_cases(engine) if args.only.lower() in c.name.lower()]
    print(f"\n{'case':<42} {'matches':>8} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    slow = []
    for case in cases:
        result = time_case(engine, case, repeat=max(1, args.repeat))
        flag = "  <-- slow" if result["p95"] > SLOW_MS else ""
        print(
            f"{case.name:<42} {result['total']:>8,} {result['queries']:>7} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['max']:>8.1f}{flag}",
            flush=True,
        )
        if flag:
            slow.append(case)
    if args.explain:
        for case in cases:
            explain(engine, case)
    if not args.no_export and cases:
        bench_export(engine, cases[0].actor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
