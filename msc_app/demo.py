"""DEMO-1 from the command line: migrate a database and fill it with demo data.

    python -m msc_app.demo                              # 60 customers into REFLEX_DB_URL / msc.db
    python -m msc_app.demo --customers 100000 --database-url postgresql://…
    python -m msc_app.demo --if-empty                   # no-op when a user already exists

Runs ``alembic upgrade head`` first, so an empty database works. Every demo
user signs in with the password printed at the end (``demo-password-1``).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import sqlalchemy as sa

from msc_app.db import get_engine
from msc_app.migrations import upgrade_to_head
from msc_app.services import auth
from msc_app.services.demo import DEMO_PASSWORD, DemoSignIn, DemoSummary, generate
from msc_app.services.errors import DomainError
from msc_app.settings import database_url


def has_users(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM user_account LIMIT 1")).first() is not None


def existing_demo_sign_ins(engine: sa.Engine) -> list[DemoSignIn]:
    """The demo users still signing in with the demo password (one argon2 check: they share a hash)."""
    from sqlmodel import Session, select

    from msc_app.models import Account, Role, User, UserStatus

    with Session(engine) as session:
        rows = list(session.exec(select(User, Account).join(Account, Account.id == User.account_id).order_by(User.id)))
    hashes = {u.password_hash for u, _ in rows if u.password_hash}
    demo_hash = next((h for h in hashes if auth.verify_password(DEMO_PASSWORD, h)), None)
    if demo_hash is None:
        return []
    labels = {Role.ADMIN: "admin", Role.VIEWER: "viewer"}
    result = []
    for user, account in rows:
        if user.password_hash == demo_hash and user.status == UserStatus.ACTIVE:
            label = (
                "Tenant admin"
                if user.role == Role.TENANT_ADMIN
                else f"{account.kind.capitalize()} {labels.get(Role(user.role), user.role)}"
            )
            result.append(DemoSignIn(label, user.email, DEMO_PASSWORD, account.name))
    return result


def sign_in_table(summary: DemoSummary) -> str:
    rows = [("Role", "Email", "Password", "Account")] + [
        (s.role, s.email, s.password or "(pending: no password yet)", s.account)
        for s in summary.sign_ins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m msc_app.demo", description="Fill a database with MSC demo data (DEMO-1)."
    )
    parser.add_argument(
        "--customers", type=int, default=60, help="number of customers (default 60)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: REFLEX_DB_URL or the SQLite file msc.db)",
    )
    parser.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database already has users"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="reference date (default: today)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.customers < 0:
        print("--customers must be 0 or more.", file=sys.stderr)
        return 2
    url = args.database_url or database_url()
    began = time.perf_counter()
    upgrade_to_head(url)
    engine = get_engine(url)
    if has_users(engine):
        if args.if_empty:
            print("The database already has users: demo data not loaded (--if-empty).")
            existing = existing_demo_sign_ins(engine)
            if existing:
                print()
                print(sign_in_table(DemoSummary(sign_ins=existing)))
            return 0
        print(
            "The database already has users; demo data goes into an empty database only.\n"
            "Use --if-empty to skip quietly, or point --database-url at an empty database.",
            file=sys.stderr,
        )
        return 1

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - began:6.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        summary = generate(
            engine=engine, customers=args.customers, seed=args.seed, today=args.today,
            progress=progress,
        )  # fmt: skip
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    counts = ", ".join(f"{k} {v:,}" for k, v in summary.counts.items())
    print(f"Demo data loaded in {time.perf_counter() - began:.1f}s ({engine.dialect.name}).")
    print(f"Rows: {counts}")
    print()
    print(sign_in_table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
