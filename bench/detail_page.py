"""Benchmark a customer's details page as a user sees it, in headless Chromium against the built app
(DETAIL-1..5, HEALTH-1..3; issue "Customer details": p95 <= 300 ms to both tabs rendered).

    .venv/bin/python bench/detail_page.py                       # SQLite file in bench/results/
    .venv/bin/python bench/detail_page.py --reuse               # keep / reuse that file
    .venv/bin/python bench/detail_page.py --database-url postgresql://postgres@127.0.0.1:5432/test --reuse

Prepares the database like bench/list_query.py (migrate, demo data of ``--customers`` customers unless
``--reuse`` finds it there), then adds two heavy customers, "Bench Heavy Customer" and "... 2", each:
three products, three years of daily consumption for each, ``--sources`` data sources with ``--jobs``
backup and restore jobs between them over those three years, contacts and alerts. Builds the production
frontend if its sources changed, serves it on a free loopback address, signs in as the distributor admin.

Each try starts on the customers list searched for them (untimed); the tries open the two in turn, so the
page never already holds the data it is waiting for. Timed in the page with
``performance.now()``:

- summary: from the click on the customer's name in the list to the Summary tab fully rendered (the
  heading, the consumption chart's areas, the products and contacts rows, the Service Plan card);
- both tabs: from the same click to the Health tab fully rendered after it (the Health tab is pressed the
  moment the Summary is ready; its figures are loaded with the page, so no further round trip is needed).

Also times a full page load (``page.goto`` of the URL to both tabs rendered) for comparison. Prints a table
and writes bench/results/detail_page-<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
for extra in (ROOT, ROOT / "bench", ROOT / "scripts"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

import app_server  # noqa: E402  (scripts/app_server.py)
import build_frontend  # noqa: E402  (scripts/build_frontend.py)
from list_browser import TIMEOUT_MS, sign_in, summarise  # noqa: E402  (bench/list_browser.py)
from list_query import prepare  # noqa: E402  (bench/list_query.py)
from msc_app.browser import launch_chromium  # noqa: E402
from msc_app.models import (  # noqa: E402
    Account,
    AccountKind,
    Alert,
    AlertSeverity,
    BackupJob,
    Contact,
    DailyConsumption,
    DataSource,
    JobKind,
    JobStatus,
    Product,
    ProductType,
    ServicePlan,
    TenantType,
)
from msc_app.services import summaries  # noqa: E402

# Two heavy customers, opened in turn: each try shows the other one's data, never what is already on the page.
CUSTOMERS = ("Bench Heavy Customer", "Bench Heavy Customer 2")
DAYS = 3 * 365

# Resolves when ``ready()`` holds, at the animation frame that first sees it.
UNTIL_JS = """
window.__mscUntil = (ready) => new Promise((resolve, reject) => {
  const started = performance.now();
  const tick = () => {
    if (ready()) return resolve(performance.now());
    if (performance.now() - started > %(timeout)d) return reject(new Error("timed out"));
    requestAnimationFrame(tick);
  };
  tick();
});
window.__mscSummaryReady = (name) => {
  const heading = document.querySelector("h1");
  return !!heading && heading.textContent.trim() === name
    && document.querySelectorAll('[data-testid="consumption-chart"] .recharts-area-area').length > 0
    && document.querySelectorAll('[data-testid="product-row"]').length > 0
    && document.querySelectorAll('[data-testid="contact-row"]').length > 0;
};
window.__mscHealthReady = (sources) =>
  document.querySelectorAll('[data-testid="data-source-row"]').length === sources
  && !!document.querySelector('[data-testid="alerts-total"]');
window.__mscOpenHealth = () => {
  const tab = document.querySelector('[role="tab"][id$="-trigger-health"]');
  // Radix tabs switch on mousedown (left button), as a real click does first.
  tab.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true, button: 0 }));
};
""" % {"timeout": TIMEOUT_MS}

# Notes when each state delta from the backend reaches the page, and its size.
DELTA_CLOCK_JS = """
(() => {
  const Native = window.WebSocket;
  if (!Native || Native.__mscClock) return;
  window.__mscDeltas = [];
  window.__mscSent = [];
  class Clocked extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string" && event.data.startsWith("42") && event.data.includes('"delta"')) {
          window.__mscDeltas.push([performance.now(), event.data.length]);
        }
      });
    }
    send(data) {
      if (typeof data === "string" && data.startsWith("42")) {
        const name = (data.match(/"name":"([^"]+)"/) || [])[1] || "?";
        window.__mscSent.push([performance.now(), name.split(".").pop()]);
      }
      return super.send(data);
    }
  }
  Clocked.__mscClock = true;
  window.WebSocket = Clocked;
})();
"""

TIMED_CLICK_JS = """
async ({ href, name, sources }) => {
  const link = document.querySelector(`a[href="${href}"]`);
  window.__mscDeltas.length = 0;
  window.__mscSent.length = 0;
  const t0 = performance.now();
  link.click();
  const summary = await window.__mscUntil(() => window.__mscSummaryReady(name));
  window.__mscOpenHealth();
  const health = await window.__mscUntil(() => window.__mscHealthReady(sources));
  const deltas = window.__mscDeltas.map(([t, size]) => [Math.round(t - t0), size]);
  const sent = window.__mscSent.map(([t, name]) => [Math.round(t - t0), name]);
  return { summary: summary - t0, both: health - t0, deltas, sent, last_delta: deltas.length ? deltas[deltas.length - 1][0] : null };
}
"""

TIMED_LOAD_JS = """
async ({ name, sources }) => {
  const summary = await window.__mscUntil(() => window.__mscSummaryReady(name));
  window.__mscOpenHealth();
  const health = await window.__mscUntil(() => window.__mscHealthReady(sources));
  return { summary, both: health };
}
"""


# ------------------------------------------------------------------ the heavy customer


def add_heavy_customer(engine: sa.Engine, name: str, *, sources: int, jobs: int, today: date) -> tuple[int, int]:
    """(customer id, data sources): adds the customer unless it is there already."""
    with Session(engine) as session:
        existing = session.exec(select(Account).where(Account.name == name)).first()
        if existing is not None:
            count = session.exec(
                select(sa.func.count()).select_from(DataSource).where(DataSource.account_id == existing.id)
            ).one()
            return existing.id, count
        reseller = session.exec(
            select(Account).where(Account.kind == AccountKind.RESELLER).order_by(Account.id)
        ).first()
        plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()
        account = Account(
            kind=AccountKind.CUSTOMER,
            parent_id=reseller.id,
            name=name,
            name_sort=name.lower(),
            customer_name=name,
            customer_name_sort=name.lower(),
            organization="Bench Heavy Org",
            phone="+1 415-555-0199",
            address="1 Benchmark Way, San Francisco, CA",
        )
        session.add(account)
        session.flush()
        start = today - timedelta(days=DAYS - 1)
        products = [
            Product(
                account_id=account.id,
                product_type=kind,
                service_plan_id=plan.id,
                tenant_type=TenantType.COMMERCIAL,
                storage_regions=["US East", "EU Frankfurt"],
                credit_quota=400_000,
                quota_effective_date=today - timedelta(days=300),
                quota_end_date=today + timedelta(days=65),
                license_expiry=today + timedelta(days=65),
                user_count=250,
                preserved_user_count=20,
            )
            for kind in ProductType
        ]
        session.add_all(products)
        session.add_all(
            Contact(account_id=account.id, name=f"Contact {n}", email=f"contact{n}@bench.example")
            for n in range(1, 6)
        )
        session.flush()
        rng = random.Random(5)
        session.execute(
            sa.insert(DailyConsumption),
            [
                {"account_id": account.id, "product_id": p.id, "day": start + timedelta(days=d),
                 "units": rng.randint(100, 600)}
                for p in products
                for d in range(DAYS)
            ],
        )
        source_rows = [
            DataSource(
                account_id=account.id,
                product_id=products[0].id,
                organization=f"Bench Org {n % 3 + 1}",
                name=f"Server {n:03d}",
                workloads=["File Servers", "VMware"] if n % 2 else ["MS-SQL"],
                backup_policy="Daily" if n % 3 else "Every 6 hours",
            )
            for n in range(sources)
        ]
        session.add_all(source_rows)
        session.flush()
        job_rows = []
        for n in range(jobs):
            source = source_rows[n % sources]
            started = datetime.combine(start, time(1), tzinfo=UTC) + timedelta(minutes=n * DAYS * 24 * 60 // jobs)
            restore = n % 50 == 0
            job_rows.append(
                {
                    "data_source_id": source.id,
                    "account_id": account.id,
                    "job_number": 100_000 + account.id * 100_000 + n,
                    "kind": JobKind.RESTORE if restore else JobKind.BACKUP,
                    "status": JobStatus.FAILED if rng.random() < 0.05 else JobStatus.SUCCESSFUL,
                    "started_at": started,
                    "finished_at": started + timedelta(minutes=30),
                }
            )
        session.execute(sa.insert(BackupJob), job_rows)
        severities = list(AlertSeverity)
        session.add_all(
            Alert(
                account_id=account.id,
                product_id=products[n % 3].id,
                alert_type=("Backup failed", "Agent offline", "Quota nearly used", "Restore failed")[n % 4],
                severity=severities[n % len(severities)],
                message="Bench alert",
                created_at=datetime.combine(today - timedelta(days=n % 90), time(6), tzinfo=UTC),
                resolved=n % 3 == 0,
            )
            for n in range(300)
        )
        session.flush()
        summaries.refresh_list_columns(session=session, account_id=account.id, today=today)
        session.commit()
        return account.id, sources


# ------------------------------------------------------------------ timing


def open_list(page: Page, base_url: str, href: str) -> None:
    page.goto(f"{base_url}/customers?q=Bench+Heavy")
    expect(page.locator(f'a[href="{href}"]').first).to_be_visible(timeout=TIMEOUT_MS)


def timed_click(page: Page, base_url: str, customer: tuple[str, int, int]) -> dict:
    name, customer_id, sources = customer
    href = f"/customers/{customer_id}"
    open_list(page, base_url, href)
    return page.evaluate(TIMED_CLICK_JS, {"href": href, "name": name, "sources": sources})


def timed_load(page: Page, base_url: str, customer: tuple[str, int, int]) -> dict:
    name, customer_id, sources = customer
    page.goto(f"{base_url}/customers/{customer_id}", wait_until="commit")
    return page.evaluate(TIMED_LOAD_JS, {"name": name, "sources": sources})


def run(samples: list[dict], key: str) -> dict:
    return summarise([s[key] for s in samples])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000, help="demo customers besides the heavy one")
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in bench/results/")
    parser.add_argument("--reuse", action="store_true", help="use the data already there")
    parser.add_argument("--sources", type=int, default=20, help="data sources of the heavy customer")
    parser.add_argument("--jobs", type=int, default=20_000, help="backup and restore jobs of the heavy customer")
    parser.add_argument("--tries", type=int, default=20, help="timed tries per case (>= 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed tries before them")
    args = parser.parse_args(argv)
    tries = max(20, args.tries)

    RESULTS.mkdir(parents=True, exist_ok=True)
    default_db = None
    url = args.database_url
    if url is None:
        default_db = RESULTS / f"detail_page-{args.customers}.db"
        url = f"sqlite:///{default_db}"
    engine = prepare(url, customers=args.customers, reuse=args.reuse, default_db=default_db)
    backend = engine.dialect.name
    version = ".".join(map(str, engine.dialect.server_version_info or ()))
    customers = [
        (name, *add_heavy_customer(engine, name, sources=args.sources, jobs=args.jobs, today=date.today()))
        for name in CUSTOMERS
    ]
    heavy = {}
    with engine.connect() as conn:
        for name, customer_id, sources in customers:
            heavy[name] = {
                "id": customer_id,
                "data_sources": sources,
                "jobs": conn.scalar(sa.select(sa.func.count()).where(BackupJob.account_id == customer_id)),
                "consumption rows": conn.scalar(
                    sa.select(sa.func.count()).where(DailyConsumption.account_id == customer_id)
                ),
            }
    engine.dispose()
    print(f"Backend: {backend} {version}\nHeavy customers: {heavy}", flush=True)

    build_frontend.ensure_built()
    host = app_server.free_loopback_host(9, 76)
    log_path = RESULTS / f"detail_page-{backend}.server.log"
    server = app_server.start_server(host=host, db_url=url, log_path=log_path, extra_env={"MSC_OUTBOX_SENDER": "0"})
    errors: list[str] = []
    load_before = os.getloadavg()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_init_script(UNTIL_JS)
            context.add_init_script(DELTA_CLOCK_JS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(page, server.base_url)
            turns = [customers[n % 2] for n in range(args.warmup + tries)]
            clicks = [timed_click(page, server.base_url, customer) for customer in turns][args.warmup :]
            loads = [timed_load(page, server.base_url, customer) for customer in turns][args.warmup :]
            browser.close()
    finally:
        app_server.stop_server(server)
    load_after = os.getloadavg()

    cases = {
        "click in list -> last state delta": run([c for c in clicks if c["last_delta"] is not None], "last_delta"),
        "click in list -> Summary rendered": run(clicks, "summary"),
        "click in list -> both tabs rendered": run(clicks, "both"),
        "full page load -> Summary rendered": run(loads, "summary"),
        "full page load -> both tabs rendered": run(loads, "both"),
    }
    print(f"\n{'case':40} {'p50':>8} {'p95':>8} {'max':>8}   (ms, {tries} tries)")
    for name, figures in cases.items():
        print(f"{name:40} {figures['p50']:8.0f} {figures['p95']:8.0f} {figures['max']:8.0f}")
    print(
        f"\nLoad average before {', '.join(f'{v:.1f}' for v in load_before)}; "
        f"after {', '.join(f'{v:.1f}' for v in load_after)} on {os.cpu_count()} CPUs"
    )
    if errors:
        print("Page errors:\n  " + "\n  ".join(errors[:10]))
    out = RESULTS / f"detail_page-{backend}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "backend": f"{backend} {version}",
                "heavy_customers": heavy,
                "tries": tries,
                "warmup": args.warmup,
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": load_after,
                "unit": "ms, performance.now() in the page; full page load from navigation start",
                "cases": cases,
                "samples": {"click": clicks, "load": loads},
                "page_errors": errors,
            },
            indent=2,
        )
    )
    print(f"Results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
