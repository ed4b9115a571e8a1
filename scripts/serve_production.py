"""The production configuration (issue 7): migrate, build the frontend once, serve it with several
backend workers on PostgreSQL and Redis.

    REFLEX_DB_URL=postgresql://msc@db:5432/msc REFLEX_REDIS_URL=redis://cache:6379/0 \\
        ./run prod --workers 4 --port 8000

- Migrations run first (``upgrade_to_head``), once, before any worker starts.
- The frontend is built into ``.web-prod`` for ``MSC_PUBLIC_URL`` (else http://localhost:<port>, which
  the browser reads as "the host this page came from"), and rebuilt only when the sources change.
- ``--workers`` granian workers serve the page, the HTTP routes and the event websockets on one port.
  Several workers need Redis: Reflex keeps each client's state there (``REFLEX_STATE_MANAGER_MODE=redis``)
  and the workers announce changes to each other on it (live updates, msc_app/live.py).
- A load balancer checks ``GET /api/health`` (200, or 503 when the database or Redis does not answer).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("MSC_HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MSC_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("MSC_WORKERS", "2")))
    args = parser.parse_args()

    if not os.environ.get("REFLEX_DB_URL", "").startswith("postgresql"):
        sys.exit("Set REFLEX_DB_URL to the PostgreSQL database (postgresql://user@host:5432/db).")
    if args.workers > 1 and not os.environ.get("REFLEX_REDIS_URL"):
        sys.exit("Several workers share state through Redis: set REFLEX_REDIS_URL (redis://host:6379/0).")

    os.environ["MSC_BUILD_PORT"] = str(args.port)
    os.environ["MSC_WEB_DIR"] = ".web-prod"
    if os.environ.get("MSC_PUBLIC_URL"):
        os.environ["MSC_API_URL"] = os.environ["MSC_PUBLIC_URL"].rstrip("/")
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT))
    import build_frontend

    from msc_app.migrations import upgrade_to_head

    print("==> migrating the database", flush=True)
    upgrade_to_head()
    print("==> building the frontend (once; skipped when up to date)", flush=True)
    build_frontend.ensure_built()

    env = build_frontend.build_environment()
    if os.environ.get("REFLEX_REDIS_URL"):
        env["REFLEX_STATE_MANAGER_MODE"] = "redis"
    env["GRANIAN_WORKERS"] = str(args.workers)
    print(f"==> serving MSC on {args.host}:{args.port} with {args.workers} workers", flush=True)
    os.execve(
        sys.executable,
        [sys.executable, str(ROOT / "scripts" / "serve_built.py"), "--host", args.host, "--port", str(args.port)],
        env,
    )


if __name__ == "__main__":
    main()
