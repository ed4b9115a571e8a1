"""Build the production frontend once, for the e2e tests and benchmarks to share.

The bundle is built in .web-e2e for backend port ``MSC_BUILD_PORT`` (3100) on "localhost",
which the browser replaces with the hostname it loaded the page from; so
servers on 127.0.0.2:3100, 127.0.0.3:3100, ... all use this one build
(scripts/serve_built.py). Skips the build when the sources have not changed
since the last one (a hash of them is kept beside the build).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_PORT = int(os.environ.get("MSC_BUILD_PORT", "3100"))
# Its own web directory: `./run serve` builds .web for port 3000 and must not
# overwrite (or be overwritten by) the bundle the tests share. The production
# command (scripts/serve_production.py) builds its own in .web-prod.
WEB_DIR = ROOT / os.environ.get("MSC_WEB_DIR", ".web-e2e")
CLIENT_DIR = WEB_DIR / "build" / "client"
STAMP = WEB_DIR / "msc-build.sha256"
LOCK = ROOT / f"{WEB_DIR.name}.lock"
# Where the browser finds the backend: "localhost" is replaced by the page's own host name.
API_URL = os.environ.get("MSC_API_URL") or f"http://localhost:{BUILD_PORT}"


def sources_hash() -> str:
    digest = hashlib.sha256(f"port={BUILD_PORT} api={API_URL}".encode())
    files = sorted(
        [*(ROOT / "msc_app").rglob("*.py"), *(ROOT / "assets").rglob("*"), ROOT / "rxconfig.py", ROOT / "pyproject.toml"]
    )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["REFLEX_USE_NPM"] = "1"
    env["REFLEX_TELEMETRY_ENABLED"] = "false"
    env["REFLEX_API_URL"] = API_URL
    env["REFLEX_WEB_WORKDIR"] = str(WEB_DIR)
    return env


def ensure_built(force: bool = False) -> None:
    """Build unless up to date; a file lock makes concurrent callers (test workers, benchmarks) wait."""
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _build(force)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(force: bool) -> None:
    wanted = sources_hash()
    if not force and (CLIENT_DIR / "index.html").exists() and STAMP.exists() and STAMP.read_text() == wanted:
        print("frontend build is up to date")
        return
    print("building the production frontend ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod", "--loglevel", "warning"],
        cwd=ROOT,
        env=build_environment(),
        check=True,
    )
    STAMP.write_text(wanted)


if __name__ == "__main__":
    ensure_built(force="--force" in sys.argv)
