"""Benchmark the customers list query (LIST-1, SPEC section 8: "with 100,000 customers
the list stays as fast as with 100").

    .venv/bin/python bench/list_query.py --customers 100000                 # temp SQLite file
    .venv/bin/python bench/list_query.py --customers 100000 --reuse         # keep that file
    .venv/bin/python bench/list_query.py --database-url postgresql://postgres@127.0.0.1:5432/test

Loads the demo data (DEMO-1) unless ``--reuse`` finds it already there, then
times ``services.customers.list_customers`` for the cases below: a warm-up,
then ``--repeat`` runs each (a fresh session per run, as a request has), and
prints p50 / p95 / max in milliseconds. ``--explain`` prints the database's
plan for the statements each case runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from msc_app.db import get_engine  # noqa: E402
from msc_app.demo import has_users  # noqa: E402
from msc_app.migrations import upgrade_to_head  # noqa: E402
from msc_app.models import Account, AccountKind, Product, Role, User  # noqa: E402
from msc_app.services.customers import ListQuery, SortKey, list_customers  # noqa: E402
from msc_app.services.demo import ADMIN_EMAIL, generate  # noqa: E402
from msc_app.services.permissions import Actor  # noqa: E402

SLOW_MS = 50.0


@dataclass(frozen=True)
class Case:
    name: str
    actor: Actor
    query: ListQuery


def actor_for(user: User, home: Account) -> Actor:
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        home_account_id=home.id,
        home_kind=AccountKind(home.kind),
        name=user.name,
        email=user.email,
    )


def load_actors(session: Session) -> tuple[Actor, Actor]:
    """The distributor admin and the first reseller's admin of the demo data."""
    admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
    reseller_admin, reseller = session.exec(
        select(User, Account)
        .join(Account, Account.id == User.account_id)
        .where(User.role == Role.ADMIN, Account.kind == AccountKind.RESELLER)
        .where(User.password_hash.is_not(None))
        .order_by(User.id)
    ).first()
    return actor_for(admin, session.get(Account, admin.account_id)), actor_for(
        reseller_admin, reseller
    )


def build_cases(engine: sa.Engine) -> list[Case]:
    with Session(engine) as session:
        distributor, reseller = load_actors(session)
        first = list_customers(session=session, actor=distributor, query=ListQuery())
    return [
        Case("distributor, first page, by name", distributor, ListQuery()),
        Case("distributor, search 'ab'", distributor, ListQuery(search="ab")),
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
            f"distributor, last page ({first.page_count})",
            distributor,
            ListQuery(page=first.page_count),
        ),
        Case("reseller admin, first page", reseller, ListQuery()),
    ]


def time_case(engine: sa.Engine, case: Case, *, repeat: int, warmup: int = 3) -> dict:
    def once() -> tuple[float, int]:
        began = time.perf_counter()
        with Session(engine) as session:
            page = list_customers(session=session, actor=case.actor, query=case.query)
        return (time.perf_counter() - began) * 1000, page.total

    for _ in range(warmup):
        once()
    samples, total = [], 0
    for _ in range(repeat):
        ms, total = once()
        samples.append(ms)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": statistics.median(samples),
        "p95": cuts[94],
        "max": max(samples),
        "total": total,
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
            list_customers(session=session, actor=case.actor, query=case.query)

    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    print(f"\n--- {case.name}")
    for statement, parameters in captured_statements(engine, run):
        print(statement.strip().splitlines()[0][:100], "...")
        with engine.connect() as conn:
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                print("    ", " | ".join(str(v) for v in row))


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
    cases = build_cases(engine)
    print(f"\n{'case':<40} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    slow = []
    for case in cases:
        result = time_case(engine, case, repeat=max(1, args.repeat))
        flag = "  <-- slow" if result["p95"] > SLOW_MS else ""
        print(
            f"{case.name:<40} {result['total']:>8,} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['max']:>8.1f}{flag}",
            flush=True,
        )
        if flag:
            slow.append(case)
    if args.explain:
        for case in cases:
            explain(engine, case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
