"""Serve the already-built frontend and the backend on one host:port, without rebuilding.

The bundle from ``reflex export --frontend-only --no-zip`` (built with
REFLEX_API_URL=http://localhost:PORT) connects back to the hostname it was
loaded from on PORT, so several servers on 127.0.0.2, 127.0.0.3, ... (all
loopback) share one build: the e2e tests give each pytest worker its own.

    python scripts/serve_built.py --host 127.0.0.2 --port 3100
"""

from __future__ import annotations

import argparse
import os


def _respawn_failed_workers() -> None:
    """A worker that dies (killed, out of memory) is started again, instead of granian stopping the
    whole server (its default). Reflex builds granian's Server itself, so its class is swapped here."""
    import granian.server as granian_server

    base = granian_server.Server

    class RespawningServer(base):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("respawn_failed_workers", True)
            kwargs.setdefault("respawn_interval", 1.0)
            super().__init__(*args, **kwargs)

    granian_server.Server = RespawningServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    os.environ["REFLEX_ENV_MODE"] = "prod"
    os.environ["REFLEX_SKIP_COMPILE"] = "true"
    os.environ.setdefault("GRANIAN_WORKERS", str(args.workers))
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

    from reflex.utils import exec as reflex_exec
    from reflex_base.constants import LogLevel

    _respawn_failed_workers()

    reflex_exec.run_backend_prod(args.host, args.port, LogLevel.WARNING, mount_frontend_compiled_app=True)


if __name__ == "__main__":
    main()
