"""Settings read from the environment, shared by rxconfig, services and scripts.

Nothing here imports Reflex, so services and scripts can use it without the UI.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'msc.db'}"


def database_url() -> str:
    """The database URL: ``REFLEX_DB_URL`` (Reflex's own variable) or the SQLite default."""
    return os.environ.get("REFLEX_DB_URL") or DEFAULT_DB_URL


def redis_url() -> str | None:
    return os.environ.get("REFLEX_REDIS_URL") or None


def smtp_settings() -> dict[str, str | int | bool | None]:
    """SMTP delivery settings for the email outbox (EMAIL-1)."""
    return {
        "host": os.environ.get("MSC_SMTP_HOST", "127.0.0.1"),
        "port": int(os.environ.get("MSC_SMTP_PORT", "1025")),
        "username": os.environ.get("MSC_SMTP_USERNAME") or None,
        "password": os.environ.get("MSC_SMTP_PASSWORD") or None,
        "starttls": os.environ.get("MSC_SMTP_STARTTLS", "0") == "1",
        "sender": os.environ.get("MSC_SMTP_FROM", "MSC <no-reply@msc.local>"),
    }
