"""Start and stop the built app (frontend + backend on one loopback host:port) for e2e tests and benchmarks.

Serves the bundle scripts/build_frontend.py built (call ``build_frontend.ensure_built()``
first) through scripts/serve_built.py, in a process group of its own, on
``host``:``PORT`` (3100); see scripts/serve_built.py for why one build serves any
loopback host. Used by tests/e2e/conftest.py and bench/list_browser.py.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
import build_frontend  # noqa: E402

PORT = build_frontend.BUILD_PORT


@dataclass
class Server:
    base_url: str
    db_url: str
    process: subprocess.Popen
    log_path: Path


def worker_pids(server_pid: int) -> list[int]:
    """The backend worker processes of a server started here: the children of granian's supervisor."""
    with open(f"/proc/{server_pid}/task/{server_pid}/children") as handle:
        return [int(pid) for pid in handle.read().split()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/ping", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling a port that is not open yet: nothing to wait on but time
    raise RuntimeError(f"server did not start:\n{server.log_path.read_text()[-4000:]}")


def start_server(
    *,
    host: str,
    db_url: str,
    log_path: Path,
    smtp_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Server:
    """Serve the built app for ``db_url`` on ``host``:PORT and wait for /ping; ``extra_env``
    is added to the server's environment last (e.g. ``{"MSC_OUTBOX_SENDER": "0"}``);
    ``workers`` backend worker processes (granian's, through serve_built.py ``--workers``)."""
    env = dict(build_frontend.build_environment())
    env.update(
        REFLEX_DB_URL=db_url,
        REFLEX_STATE_MANAGER_MODE="memory",
        REFLEX_REDIS_URL="",
        MSC_SMTP_HOST="127.0.0.1",
        MSC_SMTP_PORT=str(smtp_port or free_port()),  # nothing listens there unless a test says so
    )
    env.update(extra_env or {})
    env.pop("REFLEX_API_URL", None)
    log = open(log_path, "w")
    # A starting backend rewrites the page modules in .web-e2e even with compiling skipped;
    # two starting at once trip over each other's files, so starts take the build's lock in turn.
    with open(build_frontend.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "serve_built.py"),
                    *("--host", host, "--port", str(PORT), "--workers", str(workers)),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            server = Server(base_url=f"http://{host}:{PORT}", db_url=db_url, process=process, log_path=log_path)
            try:
                _wait_until_up(server)
            except Exception:
                stop_server(server)
                raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return server


def stop_server(server: Server) -> None:
    """SIGTERM the server's process group (SIGKILL if it does not exit within 15 s)."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(server.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def free_loopback_host(third_octet: int, worker: int) -> str:
    """A loopback address whose PORT is free (a stray server elsewhere must not break the run)."""
    for octet in range(third_octet, third_octet + 50):
        host = f"127.0.{octet}.{2 + worker}"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, PORT))
            except OSError:
                continue
        return host
    raise RuntimeError(f"no free loopback address for port {PORT}")
